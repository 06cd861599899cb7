# The content-addressed model cache: uploads are checked (hash, size, content), a server that lost a
# model asks for it again, and the cache stays within its size by dropping the least recently used.

with_cache_dir <- function(code) {
  old <- Sys.getenv("R_MODEL_CACHE_DIR")
  dir <- tempfile("bc-cache-")
  Sys.setenv(R_MODEL_CACHE_DIR = dir)
  on.exit({
    Sys.setenv(R_MODEL_CACHE_DIR = old)
    unlink(dir, recursive = TRUE)
  })
  force(code)
}

test_that("a model taken off one server and uploaded to an empty one predicts the same", {
  d <- make_clusters(n = 10L)
  r <- handle_train("lda", train_body(d$X, d$y, list(cvFolds = 0)))
  bytes <- model_bytes(r$modelSha256)
  before <- handle_predict("lda", predict_body(r, d$X))
  with_cache_dir({
    err <- expect_api_error(handle_predict("lda", predict_body(r, d$X)), 404, "not in this server's cache")
    expect_equal(err$code, "model_not_cached")
    up <- handle_put_model(r$modelSha256, bytes)
    expect_equal(up$bytes, length(bytes))
    expect_true(up$stored)
    expect_false(handle_put_model(r$modelSha256, bytes)$stored) # again: nothing to do
    after <- handle_predict("lda", predict_body(r, d$X))
    expect_equal(after$predictions, before$predictions)
    got <- handle_get_model(r$modelSha256)
    expect_s3_class(got, "binary_response")
    expect_identical(got$bytes, bytes)
  })
})

test_that("an upload whose bytes do not match its name is a 400 sha256_mismatch", {
  d <- make_clusters(n = 10L)
  r <- handle_train("lda", train_body(d$X, d$y, list(cvFolds = 0)))
  bytes <- model_bytes(r$modelSha256)
  with_cache_dir({
    wrong <- bytes
    wrong[length(wrong)] <- as.raw((as.integer(wrong[length(wrong)]) + 1L) %% 256L)
    err <- expect_api_error(handle_put_model(r$modelSha256, wrong), 400, "sha256 is")
    expect_equal(err$code, "sha256_mismatch")
    expect_equal(err$details$actual, sha256_hex(wrong))
    expect_false(file.exists(cache_file(r$modelSha256)))
    expect_api_error(handle_put_model("nothex", bytes), 400, "'sha256' must be a sha256")
    expect_api_error(handle_put_model(r$modelSha256, raw(0)), 400, "body is empty")
  })
})

test_that("an upload over R_MODEL_MAX_BYTES is a 413 model_too_large", {
  old <- Sys.getenv("R_MODEL_MAX_BYTES")
  on.exit(Sys.setenv(R_MODEL_MAX_BYTES = old))
  Sys.setenv(R_MODEL_MAX_BYTES = "100")
  bytes <- as.raw(rep(1L, 101L))
  err <- expect_api_error(handle_put_model(sha256_hex(bytes), bytes), 413, "at most 100")
  expect_equal(err$code, "model_too_large")
})

test_that("the cache drops the least recently used models beyond its size cap", {
  with_cache_dir({
    d <- make_clusters(n = 10L)
    shas <- vapply(1:3, function(k) handle_train("knn", train_body(d$X, d$y, list(k = k, cvFolds = 0)))$modelSha256, "")
    size <- file.size(cache_file(shas[[1]]))
    # oldest first: 1, 2, 3; then using 1 makes 2 the least recently used
    for (i in 1:3) Sys.setFileTime(cache_file(shas[[i]]), Sys.time() - 100 + i)
    handle_predict("knn", list(modelSha256 = shas[[1]], features = as_rows(d$X[1, , drop = FALSE])))
    removed <- cache_evict(max_bytes = 2.5 * size)
    expect_equal(removed, shas[[2]])
    expect_true(all(file.exists(cache_file(shas[c(1, 3)]))))
    err <- expect_api_error(handle_predict("knn", list(modelSha256 = shas[[2]], features = list())), 404, "not in")
    expect_equal(err$code, "model_not_cached")
    # the model being stored is never the one dropped, even when it alone exceeds the cap
    expect_equal(sort(cache_evict(max_bytes = 1, keep = shas[[3]])), sort(shas[[1]]))
    expect_true(file.exists(cache_file(shas[[3]])))
    expect_equal(cache_summary()$models, 1L)
  })
})

test_that("a damaged cached file is dropped and asked for again", {
  with_cache_dir({
    d <- make_clusters(n = 10L)
    r <- handle_train("lda", train_body(d$X, d$y, list(cvFolds = 0)))
    if (exists(r$modelSha256, envir = .model_cache)) rm(list = r$modelSha256, envir = .model_cache)
    writeLines("not an rds", cache_file(r$modelSha256))
    err <- expect_api_error(handle_predict("lda", predict_body(r, d$X)), 404, "not in this server's cache")
    expect_equal(err$code, "model_not_cached")
    expect_false(file.exists(cache_file(r$modelSha256)))
  })
})

test_that("a request naming a missing model is answered before its features are parsed", {
  sha <- strrep("cd", 32L)
  body <- charToRaw(sprintf('{"modelSha256":"%s","features":{"f1":[1,2,"not json at all', sha))
  err <- expect_api_error(require_cached_model(body), 404, "not in this server's cache")
  expect_equal(err$code, "model_not_cached")
  # a cached model, or no sha in the head: left to the full parse
  d <- make_clusters(n = 10L)
  r <- handle_train("lda", train_body(d$X, d$y, list(cvFolds = 0)))
  expect_null(require_cached_model(charToRaw(sprintf('{"modelSha256":"%s","features":[]}', r$modelSha256))))
  expect_null(require_cached_model(charToRaw('{"features":[],"modelSha256":"nothex"}')))
})
