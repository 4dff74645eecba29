# Reference cases for every rotation poetq offers besides varimax: quartimax, equamax,
# promax and oblimin after PCA and after centroid extraction, on lipset and on synthetic
# studies generated here (fixed seeds).
#
# Usage (from the repository root; qmethod installed in the library named by R_LIBS):
#   R_LIBS=/work/rlib Rscript tests/r/make_rotation_cases.R [output_dir]
# output_dir defaults to tests/data/rotations.
#
# The R calls (this script only calls qmethod, psych, GPArotation and stats):
# * PCA:       qmethod(sorts, k, extraction = "PCA", rotation = ROT) -- psych::principal
#              rotates, then reorders the factors by sum of squared loadings and signs each
#              column to a non-negative sum; Phi is principal(...)$Phi.
# * centroid:  qmethod() refuses any rotation but varimax/none after centroid, so the case
#              follows help(centroid): loa <- ROTFUN(centroid(cor(sorts), k)) with the very
#              function principal() calls for ROT (GPArotation::quartimax, psych::equamax,
#              stats::promax, GPArotation::oblimin), no reordering or sign change (as
#              qmethod's centroid + varimax), then qflag(), qzscores() and qdc().
# Each case directory holds loadings.csv, flagged.csv, zscores.csv, factor_arrays.csv,
# f_char.csv, phi.csv (oblique rotations), qdc.csv (when qdc gives a table) and meta.txt.

trailing <- commandArgs(trailingOnly = TRUE)
out_root <- if (length(trailing) >= 1) trailing[1] else file.path("tests", "data", "rotations")

suppressPackageStartupMessages({
  library(qmethod)
  library(psych)
  library(GPArotation)
})

fmt_num <- function(x) {
  out <- sprintf("%.17g", x)
  out[is.na(x)] <- "NA"
  out
}

write_matrix <- function(m, idname, path) {
  m <- as.matrix(m)
  df <- data.frame(id = rownames(m), stringsAsFactors = FALSE)
  names(df) <- idname
  for (j in seq_len(ncol(m))) {
    col <- m[, j]
    df[[colnames(m)[j]]] <- if (is.numeric(col)) fmt_num(col) else as.character(col)
  }
  write.csv(df, path, row.names = FALSE, quote = TRUE, na = "NA")
}

# A forced-distribution study: sorts load on planted viewpoints (some mirrored) plus noise.
synthetic <- function(seed, n_statements, n_sorts, n_views, grid) {
  set.seed(seed)
  values <- rep(as.numeric(names(grid)), grid)
  stopifnot(length(values) == n_statements)
  views <- matrix(rnorm(n_statements * n_views), n_statements, n_views)
  sorts <- matrix(0, n_statements, n_sorts)
  for (j in seq_len(n_sorts)) {
    w <- runif(n_views, -0.3, 0.3)
    main <- sample(n_views, 1)
    w[main] <- runif(1, 0.6, 1.2) * ifelse(runif(1) < 0.15, -1, 1)
    s <- views %*% w + rnorm(n_statements, sd = runif(1, 0.4, 1.0))
    sorts[order(s), j] <- values
  }
  rownames(sorts) <- sprintf("s%02d", seq_len(n_statements))
  colnames(sorts) <- sprintf("p%02d", seq_len(n_sorts))
  as.data.frame(sorts)
}

grid_of <- function(counts, low) setNames(counts, seq(low, length.out = length(counts)))

studies <- list(
  lipset = list(sorts = lipset[[1]], k = c(2, 3)),
  synth_a = list(sorts = synthetic(101, 30, 18, 3, grid_of(c(2, 3, 3, 4, 6, 4, 3, 3, 2), -4)), k = c(3, 4)),
  synth_b = list(sorts = synthetic(202, 25, 40, 2, grid_of(c(2, 3, 4, 7, 4, 3, 2), -3)), k = c(2, 3)),
  synth_c = list(sorts = synthetic(303, 40, 12, 4, grid_of(c(2, 3, 5, 6, 8, 6, 5, 3, 2), -4)), k = c(4))
)

rotate_centroid <- function(loa, rotation) {
  switch(rotation,
    quartimax = { r <- GPArotation::quartimax(loa); list(loa = r$loadings, phi = NULL) },
    equamax = { r <- psych::equamax(loa); list(loa = r$loadings, phi = NULL) },
    promax = {
      r <- stats::promax(loa)
      ui <- solve(r$rotmat)
      list(loa = unclass(r$loadings), phi = cov2cor(ui %*% t(ui)))
    },
    oblimin = { r <- GPArotation::oblimin(loa); list(loa = r$loadings, phi = r$Phi) }
  )
}

capture <- function(expr) {
  warns <- character(0)
  val <- withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  list(value = val, warnings = warns)
}

rotations <- c("quartimax", "equamax", "promax", "oblimin")
for (study in names(studies)) {
  sorts <- studies[[study]]$sorts
  sdir <- file.path(out_root, study)
  dir.create(sdir, recursive = TRUE, showWarnings = FALSE)
  write_matrix(as.matrix(sorts), "statement", file.path(sdir, "sorts.csv"))
  nstat <- nrow(sorts)
  cm <- cor(sorts)
  for (k in studies[[study]]$k) {
    for (extraction in c("pca", "centroid")) {
      for (rotation in rotations) {
        case <- paste(extraction, rotation, k, sep = "_")
        cdir <- file.path(sdir, case)
        dir.create(cdir, recursive = TRUE, showWarnings = FALSE)
        out <- capture({
          if (extraction == "pca") {
            res <- qmethod(sorts, nfactors = k, extraction = "PCA", rotation = rotation, silent = TRUE)
            phi <- principal(cm, nfactors = k, rotate = rotation)$Phi
            call <- sprintf('qmethod(sorts, nfactors = %d, rotation = "%s")', k, rotation)
          } else {
            rot <- rotate_centroid(unclass(centroid(cm, nfactors = k, spc = 1e-5)), rotation)
            loa <- unclass(rot$loa)
            colnames(loa) <- paste0("f", 1:k)
            rownames(loa) <- colnames(sorts)
            flagged <- qflag(loa, nstat = nstat)
            res <- qzscores(sorts, k, loa = loa, flagged = flagged)
            res$qdc <- tryCatch(qdc(sorts, k, zsc = res$zsc, sed = res$f_char$sd_dif),
                                error = function(e) conditionMessage(e))
            phi <- rot$phi
            call <- sprintf('%s(centroid(cor(sorts), nfactors = %d)) then qflag, qzscores, qdc', rotation, k)
          }
          list(res = res, phi = phi, call = call)
        })
        res <- out$value$res
        loa <- as.matrix(unclass(res$loa))
        colnames(loa) <- paste0("f", 1:k)
        write_matrix(loa, "sort", file.path(cdir, "loadings.csv"))
        fl <- as.matrix(res$flagged) * 1
        colnames(fl) <- paste0("flag_f", 1:k)
        write_matrix(fl, "sort", file.path(cdir, "flagged.csv"))
        write_matrix(as.matrix(res$zsc), "statement", file.path(cdir, "zscores.csv"))
        write_matrix(as.matrix(res$zsc_n), "statement", file.path(cdir, "factor_arrays.csv"))
        write_matrix(as.matrix(res$f_char$characteristics), "factor", file.path(cdir, "f_char.csv"))
        if (!is.null(out$value$phi)) {
          phi <- as.matrix(out$value$phi)
          rownames(phi) <- colnames(phi) <- paste0("f", 1:k)
          write_matrix(phi, "factor", file.path(cdir, "phi.csv"))
        }
        if (is.data.frame(res$qdc)) write_matrix(as.matrix(res$qdc), "statement", file.path(cdir, "qdc.csv"))
        over <- any(abs(loa[fl == 1]) >= 1)
        writeLines(c(
          paste0("call: ", out$value$call),
          paste0("versions: qmethod ", packageVersion("qmethod"), ", psych ", packageVersion("psych"),
                 ", GPArotation ", packageVersion("GPArotation"), ", ", R.version.string),
          paste0("flagged_loading_ge_1: ", over),
          paste0("warnings: ", if (length(out$warnings)) paste(gsub("\n", " ", out$warnings), collapse = " || ") else "none")
        ), file.path(cdir, "meta.txt"))
      }
    }
  }
  cat("wrote", study, "\n")
}
