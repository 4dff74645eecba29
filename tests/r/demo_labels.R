# qmethod's distinguishing/consensus labels for the demo's 60 sorts (5 factors, PCA, varimax).
#
# Usage (from the repository root; qmethod installed in /work/rlib or R's libraries):
#   poetq simulate joint-commissioning --respondents 60 --out tests/data/demo/sorts.csv
#   R_LIBS=/work/rlib Rscript tests/r/demo_labels.R
# The sorts are the demo's (`poetq demo` simulates them with the same seed). Writes
# tests/data/demo/pca_varimax_5/distinguishing_consensus.csv (qmethod's res$qdc).
suppressPackageStartupMessages(library(qmethod))
sorts <- read.csv("tests/data/demo/sorts.csv", row.names = 1, check.names = FALSE)
res <- qmethod(sorts, nfactors = 5, rotation = "varimax", silent = TRUE)
qdc <- res$qdc
out <- data.frame(statement = rownames(sorts), qdc, check.names = FALSE, stringsAsFactors = FALSE)
dir.create("tests/data/demo/pca_varimax_5", showWarnings = FALSE, recursive = TRUE)
write.csv(out, "tests/data/demo/pca_varimax_5/distinguishing_consensus.csv", row.names = FALSE)
