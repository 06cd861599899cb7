# Synthetic data shared by the tests.

#' Well separated Gaussian clusters: `n` points per class around centres far apart.
make_clusters <- function(n = 20L, classes = c("A", "B", "C"), p = 3L, sep = 20, seed = 1L) {
  set.seed(seed)
  X <- do.call(rbind, lapply(seq_along(classes), function(i) {
    matrix(stats::rnorm(n * p, mean = i * sep), ncol = p)
  }))
  colnames(X) <- paste0("f", seq_len(p))
  list(X = X, y = rep(classes, each = n))
}

as_rows <- function(X) {
  df <- as.data.frame(X, check.names = FALSE)
  df
}

train_body <- function(X, y, options = list()) {
  list(features = as_rows(X), labels = y, options = options)
}

predict_body <- function(trained, X) {
  list(modelSha256 = trained$modelSha256, features = as_rows(X))
}

#' The .rds bytes of a cached model (what a client downloads and uploads).
model_bytes <- function(sha) {
  f <- cache_file(sha)
  readBin(f, "raw", file.size(f))
}

#' Run a handler and return the api_error it raises (or fail).
expect_api_error <- function(expr, status, pattern) {
  err <- tryCatch({
    expr
    NULL
  }, api_error = function(e) e)
  testthat::expect_false(is.null(err), info = "expected an api_error")
  if (!is.null(err)) {
    testthat::expect_equal(err$status, as.integer(status))
    testthat::expect_match(conditionMessage(err), pattern)
  }
  invisible(err)
}
