#!/usr/bin/env Rscript
# Runs the server's unit tests:  Rscript r_code/tests/run.R
suppressPackageStartupMessages(library(testthat))
tests_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(normalizePath(sub("^--file=", "", file_arg))) else getwd()
})
r_dir <- file.path(dirname(tests_dir), "R")
env <- new.env(parent = globalenv())
assign("R_CODE_DIR", dirname(tests_dir), envir = env)
for (f in c("util.R", "data.R", "cache.R", "models.R", "cv.R", "api.R", "jobs.R")) sys.source(file.path(r_dir, f), envir = env)
results <- test_dir(file.path(tests_dir, "testthat"), env = env, reporter = ProgressReporter$new(show_praise = FALSE), stop_on_failure = FALSE)
df <- as.data.frame(results)
failed <- sum(df$failed) + sum(df$error)
cat(sprintf("\n%d test blocks, %d expectations, %d failed\n", nrow(df), sum(df$nb), failed))
quit(status = if (failed > 0) 1L else 0L)
