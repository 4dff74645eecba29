"""AnalysisOptions: one record for the CLI, the browser and saved analyses."""

from __future__ import annotations

import json

import pytest

from poetq.analysis import AnalysisOptions
from poetq.errors import ValidationError


def test_json_round_trip_keeps_every_field():
    o = AnalysisOptions(4, extraction="centroid", rotation="quartimax", cor="spearman",
                        rotations=((1, 2, 15.0), (2, 4, -7.5)), flags=(("s1", 1), ("s3", 4)))
    back = AnalysisOptions.from_json(o.to_json())
    assert back == o
    assert json.loads(o.to_json())["rotations"] == [[1, 2, 15.0], [2, 4, -7.5]]
    assert AnalysisOptions.from_dict({"factors": 3}) == AnalysisOptions(3)


@pytest.mark.parametrize("data,message", [
    ({"factors": 0}, "number of factors"),
    ({"factors": 2, "rotation": "magic"}, "rotation: choose one of"),
    ({"factors": 2, "rotations": [[1, 3, 10]]}, "two different factors"),
    ({"factors": 2, "rotations": [[1, 1, 10]]}, "two different factors"),
    ({"factors": 2, "rotations": [[1, 2, 1e9]]}, "between -360 and 360"),
    ({"factors": 2, "rotations": ["1,2"]}, "FACTOR,FACTOR,DEGREES"),
    ({"factors": 2, "flags": {"a": 3}}, "no factor 3"),
    ({"factors": 2, "surprise": 1}, "unknown analysis option"),
    ({"factors": 2, "format": 99}, "newer poetq"),
    ({"extraction": "pca"}, "number of factors"),
])
def test_bad_options_are_refused_with_a_readable_line(data, message):
    with pytest.raises(ValidationError, match=message):
        AnalysisOptions.from_dict(data)


def test_describe_is_the_method_line():
    o = AnalysisOptions(3, rotations=((1, 2, 15.0),), flags=(("a", 1),))
    assert o.describe() == ("3 factors, PCA, varimax, pearson correlation; then by hand: "
                            "f1/f2 +15°; manual flags (1 sorts)")
