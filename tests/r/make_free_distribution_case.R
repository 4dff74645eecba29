# Reference for free (unforced) sorts: qmethod(forced = FALSE, distribution = ...) on KADE's
# lipsetCsvQsorts---unforced-1.csv (lipset with sorts that break the grid) and lipset's grid.
#
# Usage (from the repository root):
#   R_LIBS=/work/rlib Rscript tests/r/make_free_distribution_case.R \
#       ../shared/interop/kade/lipsetCsvQsorts---unforced-1.csv [output_dir]
# output_dir defaults to tests/data/free. Writes sorts.csv (statements x sorts), and for
# 2 and 3 factors (PCA, varimax) loadings, flagged, zscores, factor_arrays, f_char, meta.
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 2) args[2] else file.path("tests", "data", "free")
suppressPackageStartupMessages(library(qmethod))
raw <- read.csv(args[1], check.names = FALSE)
sorts <- t(as.matrix(raw[, -1]))
colnames(sorts) <- raw[[1]]
rownames(sorts) <- sprintf("sta_%d", seq_len(nrow(sorts)))
sorts <- as.data.frame(sorts)
distribution <- sort(lipset[[1]][, 1])
fmt <- function(x) { o <- sprintf("%.17g", x); o[is.na(x)] <- "NA"; o }
put <- function(m, id, path) {
  m <- as.matrix(m)
  df <- data.frame(id = rownames(m), stringsAsFactors = FALSE); names(df) <- id
  for (j in seq_len(ncol(m))) df[[colnames(m)[j]]] <- if (is.numeric(m[, j])) fmt(m[, j]) else m[, j]
  write.csv(df, path, row.names = FALSE, quote = TRUE)
}
dir.create(out, recursive = TRUE, showWarnings = FALSE)
put(sorts, "statement", file.path(out, "sorts.csv"))
writeLines(paste(distribution, collapse = ","), file.path(out, "distribution.txt"))
for (k in c(2, 3)) {
  d <- file.path(out, sprintf("pca_varimax_%d", k))
  dir.create(d, showWarnings = FALSE)
  r <- qmethod(sorts, nfactors = k, forced = FALSE, distribution = distribution, silent = TRUE)
  put(r$loa, "sort", file.path(d, "loadings.csv"))
  put(as.matrix(r$flagged) * 1, "sort", file.path(d, "flagged.csv"))
  put(r$zsc, "statement", file.path(d, "zscores.csv"))
  put(r$zsc_n, "statement", file.path(d, "factor_arrays.csv"))
  put(r$f_char$characteristics, "factor", file.path(d, "f_char.csv"))
  writeLines(c(sprintf("call: qmethod(sorts, nfactors = %d, forced = FALSE, distribution = sort(lipset[[1]][, 1]))", k),
               paste0("versions: qmethod ", packageVersion("qmethod"), ", ", R.version.string)),
             file.path(d, "meta.txt"))
}
cat("wrote", out, "\n")
