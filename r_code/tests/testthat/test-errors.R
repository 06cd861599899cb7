test_that("missing prediction columns are a 400 naming them", {
  d <- make_clusters(n = 10L)
  path <- tmp_model()
  handle_train("knn", train_body(d$X, d$y, path, list(k = 1, cvFolds = 0)))
  expect_api_error(handle_predict("knn", list(modelPath = path, features = as_rows(d$X[, 1:2]))), 400, "missing feature column.*'f3'")
})

test_that("NaN / null features are a 400 naming column and row", {
  d <- make_clusters(n = 10L)
  X <- d$X
  X[4, 2] <- NA
  expect_api_error(handle_train("knn", train_body(X, d$y, tmp_model())), 400, "non-finite.*'f2'.*row\\(s\\) 4")
})

test_that("non-numeric feature columns are a 400", {
  d <- make_clusters(n = 10L)
  rows <- as_rows(d$X)
  rows$f1 <- as.character(rows$f1)
  expect_api_error(handle_train("knn", list(features = rows, labels = d$y, modelPath = tmp_model())), 400, "'f1' must be numeric")
})

test_that("unknown model file is a 404", {
  expect_api_error(handle_predict("knn", list(modelPath = "/nonexistent/dir/m.rds", features = list())), 404, "model file not found")
})

test_that("a model of another method is refused", {
  d <- make_clusters(n = 10L)
  path <- tmp_model()
  handle_train("lda", train_body(d$X, d$y, path, list(cvFolds = 0)))
  expect_api_error(handle_predict("knn", list(modelPath = path, features = as_rows(d$X))), 400, "is a lda model; use POST /predict/lda")
})

test_that("a file that is not a model is a 422", {
  path <- tmp_model()
  saveRDS(list(a = 1), path)
  expect_api_error(handle_predict("knn", list(modelPath = path, features = list())), 422, "not a BattyCoda classifier")
  writeLines("garbage", path)
  expect_api_error(handle_predict("knn", list(modelPath = path, features = list())), 422, "cannot read model file")
})

test_that("a label with one sample is a 422 unless dropped or allowed", {
  d <- make_clusters(n = 10L)
  X <- rbind(d$X, c(100, 100, 100))
  y <- c(d$y, "Lonely")
  expect_api_error(handle_train("knn", train_body(X, y, tmp_model())), 422, "'Lonely' \\(1\\)")
  r <- handle_train("knn", train_body(X, y, tmp_model(), list(k = 1, dropRareLabels = TRUE)))
  expect_equal(r$droppedLabels[[1]]$label, "Lonely")
  expect_false("Lonely" %in% r$classes)
  r2 <- handle_train("lda", train_body(X, y, tmp_model(), list(minSamplesPerLabel = 1)))
  expect_true("Lonely" %in% r2$classes)
  expect_equal(sum(r2$cv$confusionMatrix$matrix), 31L)
})

test_that("a single class is a 422", {
  d <- make_clusters(n = 10L, classes = "A")
  expect_api_error(handle_train("lda", train_body(d$X, d$y, tmp_model())), 422, "at least 2 distinct labels")
})

test_that("labels/features length mismatch, bad options and bad paths are 400s", {
  d <- make_clusters(n = 10L)
  expect_api_error(handle_train("knn", train_body(d$X, d$y[-1], tmp_model())), 400, "'labels' has 29 entries")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, tmp_model(), list(k = 0))), 400, "options.k")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, tmp_model(), list(kk = 1))), 400, "unknown option.*'kk'")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, tmp_model(), list(cvFolds = 1))), 400, "cvFolds")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, "relative/m.rds")), 400, "absolute path")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, "/tmp/m.txt")), 400, "end in .rds")
  expect_api_error(handle_train("knn", list(labels = d$y, modelPath = tmp_model())), 400, "'features' is required")
  expect_api_error(handle_train("knn", c(train_body(d$X, d$y, tmp_model()), list(extra = 1))), 400, "unknown field")
  expect_api_error(handle_train("knn", train_body(d$X, d$y, tmp_model(), list(k = 100))), 422, "larger than the number")
})

test_that("R_MODEL_ROOT confines model paths", {
  old <- Sys.getenv("R_MODEL_ROOT")
  on.exit(Sys.setenv(R_MODEL_ROOT = old))
  Sys.setenv(R_MODEL_ROOT = "/srv/models")
  expect_api_error(check_model_path("/tmp/x.rds"), 403, "inside R_MODEL_ROOT")
  expect_api_error(check_model_path("/srv/models/../etc/x.rds"), 403, "inside R_MODEL_ROOT")
  expect_equal(check_model_path("/srv/models/a/x.rds"), "/srv/models/a/x.rds")
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
  path <- tmp_model()
  r <- handle_train("knn", list(features = cols, labels = d$y, modelPath = path, options = list(k = 1)))
  expect_equal(r$cv$accuracy, 1)
  body <- parse_json_body(charToRaw(as.character(jsonlite::toJSON(list(modelPath = path, features = list(f1 = 20, f2 = 20, f3 = 20)), digits = NA))))
  expect_equal(handle_predict("knn", body)$predictions$label, "A")
})
