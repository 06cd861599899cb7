test_that("missing prediction columns are a 400 naming them", {
  d <- make_clusters(n = 10L)
  r <- handle_train("knn", train_body(d$X, d$y, list(k = 1, cvFolds = 0)))
  expect_api_error(handle_predict("knn", predict_body(r, d$X[, 1:2])), 400, "missing feature column.*'f3'")
})

test_that("NaN / null features are a 400 naming column and row", {
  d <- make_clusters(n = 10L)
  X <- d$X
  X[4, 2] <- NA
  expect_api_error(handle_train("knn", train_body(X, d$y)), 400, "non-finite.*'f2'.*row\\(s\\) 4")
})

test_that("non-numeric feature columns are a 400", {
  d <- make_clusters(n = 10L)
  rows <- as_rows(d$X)
  rows$f1 <- as.character(rows$f1)
  expect_api_error(handle_train("knn", list(features = rows, labels = d$y)), 400, "'f1' must be numeric")
})

test_that("a model this server does not hold is a 404 with code model_not_cached", {
  sha <- strrep("ab", 32L)
  err <- expect_api_error(handle_predict("knn", list(modelSha256 = sha, features = list())), 404, "not in this server's cache")
  expect_equal(err$code, "model_not_cached")
  expect_equal(err$details$sha256, sha)
  expect_api_error(handle_predict("knn", list(modelSha256 = "ABC", features = list())), 400, "64 lowercase hexadecimal")
  # paths are not accepted any more: the server never opens a file a client names
  expect_api_error(handle_predict("knn", list(modelPath = "/tmp/m.rds", features = list())), 400, "unknown field.*'modelPath'")
})

test_that("a model of another method is refused", {
  d <- make_clusters(n = 10L)
  r <- handle_train("lda", train_body(d$X, d$y, list(cvFolds = 0)))
  expect_api_error(handle_predict("knn", predict_body(r, d$X)), 400, "is a lda model; use POST /predict/lda")
})

test_that("an upload that is not a model is a 422 and is not stored", {
  f <- tempfile(fileext = ".rds")
  saveRDS(list(a = 1), f)
  bytes <- readBin(f, "raw", file.size(f))
  sha <- sha256_hex(bytes)
  expect_api_error(handle_put_model(sha, bytes), 422, "not a BattyCoda classifier")
  garbage <- charToRaw("garbage")
  expect_api_error(handle_put_model(sha256_hex(garbage), garbage), 422, "cannot read model")
  expect_false(file.exists(cache_file(sha)))
  expect_length(list.files(model_cache_dir(), pattern = "^\\.incoming", all.files = TRUE), 0L)
})

test_that("a label with one sample is a 422 unless dropped or allowed", {
  d <- make_clusters(n = 10L)
  X <- rbind(d$X, c(100, 100, 100))
  y <- c(d$y, "Lonely")
  expect_api_error(handle_train("knn", train_body(X, y)), 422, "'Lonely' \\(1\\)")
  r <- handle_train("knn", train_body(X, y, list(k = 1, dropRareLabels = TRUE)))
  expect_equal(r$droppedLabels[[1]]$label, "Lonely")
  expect_false("Lonely" %in% r$classes)
  r2 <- handle_train("lda", train_body(X, y, list(minSamplesPerLabel = 1)))
  expect_true("Lonely" %in% r2$classes)
  expect_equal(sum(r2$cv$confusionMatrix$matrix), 31L)
})

test_that("a single class is a 422", {
  d <- make_clusters(n = 10L, classes = "A")
  expect_api_error(handle_train("lda", train_body(d$X, d$y)), 422, "at least 2 distinct labels")
})

test_that("labels/features length mismatch, bad options and unknown fields are 400s", {
  d <- make_clusters(n = 10L)
  expect_api_error(handle_train("knn", train_body(d$X, d$y[-1])), 400, "'labels' has 29 entries")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, list(k = 0))), 400, "options.k")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, list(kk = 1))), 400, "unknown option.*'kk'")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, list(cvFolds = 1))), 400, "cvFolds")
  expect_api_error(handle_train("knn", c(train_body(d$X, d$y), list(modelPath = "/tmp/m.rds"))), 400, "unknown field.*'modelPath'")
  expect_api_error(handle_train("knn", list(labels = d$y)), 400, "'features' is required")
  expect_api_error(handle_train("knn", c(train_body(d$X, d$y), list(extra = 1))), 400, "unknown field")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, list(k = 100))), 422, "larger than the number")
})

test_that("invalid JSON bodies are a 400", {
  expect_api_error(parse_json_body(charToRaw("{nope")), 400, "not valid JSON")
  expect_api_error(parse_json_body(raw(0)), 400, "empty")
  expect_api_error(parse_json_body(charToRaw("[1,2]")), 400, "must be a JSON object")
})

test_that("features may be given as columns", {
  d <- make_clusters(n = 10L)
  cols <- lapply(seq_len(ncol(d$X)), function(j) d$X[, j])
  names(cols) <- colnames(d$X)
  r <- handle_train("knn", list(features = cols, labels = d$y, options = list(k = 1)))
  expect_equal(r$cv$accuracy, 1)
  body <- parse_json_body(charToRaw(as.character(jsonlite::toJSON(list(modelSha256 = r$modelSha256, features = list(f1 = 20, f2 = 20, f3 = 20)), digits = NA))))
  expect_equal(handle_predict("knn", body)$predictions$label, "A")
})
