# Reference bootstraps: R qmethod's qmboots with its own resamples, laid out as
# ../shared/specs/bootstrap.md says poetq bootstrap --resamples FILE --out DIR writes them.
#
# Usage (from the repository root): R_LIBS=/work/rlib Rscript tests/r/make_bootstrap_cases.R [out]
# out defaults to tests/data/bootstrap. One folder per case: sorts.csv (statements x sorts),
# resamples.csv (write.csv(b$resamples, row.names = FALSE)), the four summary files written
# by write.csv(<object>, "<name>.csv"), and meta.txt (the call, the number of dropped steps).
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else file.path("tests", "data", "bootstrap")
suppressPackageStartupMessages({ library(qmethod); library(psych) })

synthetic <- function(seed, n_statements, n_sorts, n_views, counts, low) {
  set.seed(seed)
  values <- rep(seq(low, length.out = length(counts)), counts)
  views <- matrix(rnorm(n_statements * n_views), n_statements, n_views)
  sorts <- matrix(0, n_statements, n_sorts)
  for (j in seq_len(n_sorts)) {
    w <- runif(n_views, -0.4, 0.4)
    w[sample(n_views, 1)] <- runif(1, 0.3, 0.9)
    s <- views %*% w + rnorm(n_statements, sd = runif(1, 0.6, 1.2))
    sorts[order(s), j] <- values
  }
  rownames(sorts) <- sprintf("s%02d", seq_len(n_statements))
  colnames(sorts) <- sprintf("p%02d", seq_len(n_sorts))
  as.data.frame(sorts)
}

cases <- list(
  lipset_2 = list(sorts = lipset[[1]], k = 2, steps = 30, seed = 3),
  lipset_3 = list(sorts = lipset[[1]], k = 3, steps = 40, seed = 11),
  weak_3 = list(sorts = synthetic(7, 25, 14, 3, c(2, 3, 4, 7, 4, 3, 2), -3), k = 3, steps = 40, seed = 5)
)

for (name in names(cases)) {
  cs <- cases[[name]]
  d <- file.path(out, name)
  dir.create(d, recursive = TRUE, showWarnings = FALSE)
  sorts <- cs$sorts
  write.csv(data.frame(statement = rownames(sorts), sorts, check.names = FALSE),
            file.path(d, "sorts.csv"), row.names = FALSE)
  set.seed(cs$seed)
  b <- suppressWarnings(invisible(capture.output(
    res <- qmboots(sorts, nfactors = cs$k, nsteps = cs$steps, load = "auto", rotation = "varimax",
                   indet = "qindtest", fsi = TRUE))))
  b <- res
  write.csv(b$resamples, file.path(d, "resamples.csv"), row.names = FALSE)
  for (f in seq_len(cs$k)) {
    write.csv(b$"zscore-stats"[[paste0("factor", f)]], file.path(d, sprintf("zscore-stats_factor%d.csv", f)))
    write.csv(b$loa.stats[[paste0("factor", f)]], file.path(d, sprintf("loa.stats_factor%d.csv", f)))
  }
  s <- qmb.summary(b)
  write.csv(s$qsorts, file.path(d, "qmb.summary_qsorts.csv"))
  write.csv(s$statements, file.path(d, "qmb.summary_statements.csv"))
  errmsg <- "ERROR in ORDER swap: at least one factor in the resample is best match for two or more factors in the target"
  dropped <- sum(unlist(b$indet.tests[[2]][[1]]) == errmsg)
  writeLines(c(sprintf("call: set.seed(%d); qmboots(sorts, nfactors = %d, nsteps = %d, load = \"auto\", rotation = \"varimax\", indet = \"qindtest\", fsi = TRUE)",
                       cs$seed, cs$k, cs$steps),
               paste0("dropped_steps: ", dropped),
               paste0("versions: qmethod ", packageVersion("qmethod"), ", psych ", packageVersion("psych"), ", ", R.version.string)),
             file.path(d, "meta.txt"))
  cat(name, "dropped", dropped, "\n")
}
