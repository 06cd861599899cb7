# End-to-end over HTTP: starts r_code/server.R on a random port and talks to it with curl.

server_script <- function() {
  # tests/run.R runs from anywhere; locate server.R relative to this file's directory.
  candidates <- c(
    file.path(getwd(), "..", "..", "server.R"),
    file.path(Sys.getenv("BATTYCODA_R_CODE", "r_code"), "server.R")
  )
  hit <- candidates[file.exists(candidates)]
  if (length(hit) == 0L) NULL else normalizePath(hit[[1]])
}

http_json <- function(handle_url, method = "GET", body = NULL) {
  h <- curl::new_handle()
  if (!is.null(body)) {
    txt <- if (is.character(body)) body else as.character(jsonlite::toJSON(body, auto_unbox = TRUE, digits = NA))
    curl::handle_setopt(h, customrequest = method, postfields = txt)
    curl::handle_setheaders(h, "Content-Type" = "application/json")
  }
  r <- curl::curl_fetch_memory(handle_url, handle = h)
  list(
    status = r$status_code,
    type = curl::parse_headers_list(r$headers)[["content-type"]],
    json = jsonlite::fromJSON(rawToChar(r$content), simplifyVector = FALSE)
  )
}

http_bytes <- function(url, method = "GET", bytes = NULL) {
  h <- curl::new_handle()
  if (!is.null(bytes)) {
    curl::handle_setopt(h, customrequest = method, postfields = bytes)
    curl::handle_setheaders(h, "Content-Type" = "application/octet-stream")
  }
  r <- curl::curl_fetch_memory(url, handle = h)
  list(status = r$status_code, type = curl::parse_headers_list(r$headers)[["content-type"]], content = r$content)
}

start_server <- function(env = character(0)) {
  script <- server_script()
  port <- httpuv::randomPort()
  prefix <- if (length(env)) paste(sprintf("%s=%s", names(env), shQuote(env)), collapse = " ") else ""
  pid <- as.integer(system(sprintf("%s Rscript %s --port %d >/dev/null 2>&1 & echo $!", prefix, shQuote(script), port), intern = TRUE))
  base <- sprintf("http://127.0.0.1:%d", port)
  for (i in 1:100) {
    if (tryCatch(http_json(paste0(base, "/ping"))$status == 200L, error = function(e) FALSE)) break
    Sys.sleep(0.1)
  }
  list(pid = pid, base = base)
}

#' POST /train/<method> (202) and poll /train/status until it is no longer running.
train_over_http <- function(base, method, body) {
  r <- http_json(paste0(base, "/train/", method), "POST", body)
  testthat::expect_equal(r$status, 202L)
  repeat {
    s <- http_json(paste0(base, "/train/status/", r$json$trainingId))
    if (!identical(s$json$status, "running")) return(s$json)
    Sys.sleep(0.1)
  }
}

test_that("server over HTTP: ping, train, predict and JSON errors", {
  skip_if_not_installed("curl")
  script <- server_script()
  skip_if(is.null(script), "server.R not found")
  port <- httpuv::randomPort()
  pid <- as.integer(system(sprintf("Rscript %s --port %d >/dev/null 2>&1 & echo $!", shQuote(script), port), intern = TRUE))
  on.exit(tools::pskill(pid), add = TRUE)
  base <- sprintf("http://127.0.0.1:%d", port)
  ok <- FALSE
  for (i in 1:100) {
    ok <- tryCatch(http_json(paste0(base, "/ping"))$status == 200L, error = function(e) FALSE)
    if (ok) break
    Sys.sleep(0.1)
  }
  expect_true(ok)
  ping <- http_json(paste0(base, "/ping"))
  expect_equal(ping$json$status, "ok")
  expect_match(ping$type, "application/json")
  expect_true(is.character(ping$json$packages$MASS))

  d <- make_clusters(n = 8L, classes = c("A", "B"))
  tr <- train_over_http(base, "lda",
    list(features = as_rows(d$X), labels = d$y, options = list(cvFolds = 4))
  )
  expect_equal(tr$status, "done")
  expect_equal(tr$result$cv$accuracy, 1)
  expect_equal(tr$result$cv$confusionMatrix$matrix, list(list(8L, 0L), list(0L, 8L)))
  sha <- tr$result$modelSha256

  p1 <- http_json(paste0(base, "/predict/lda"), "POST", list(modelSha256 = sha, features = as_rows(d$X[1, , drop = FALSE])))
  expect_equal(p1$status, 200L)
  expect_equal(p1$json$predictions[[1]]$label, "A")
  expect_equal(sum(unlist(p1$json$predictions[[1]]$probabilities)), 1)

  # the trained model comes back as bytes whose sha256 is its name and whose size was announced
  got <- http_bytes(paste0(base, "/models/", sha))
  expect_equal(got$status, 200L)
  expect_equal(got$type, "application/octet-stream")
  expect_equal(sha256_hex(got$content), sha)
  expect_equal(length(got$content), tr$result$modelSize)
  expect_equal(http_json(paste0(base, "/ping"))$json$modelCache$models, 1L)

  # a model the server has never seen: 404 model_not_cached, then PUT, then it predicts
  other <- handle_train("lda", train_body(d$X, rev(d$y), list(cvFolds = 0)))
  obytes <- model_bytes(other$modelSha256)
  miss <- http_json(paste0(base, "/predict/lda"), "POST", list(modelSha256 = other$modelSha256, features = as_rows(d$X[1, , drop = FALSE])))
  expect_equal(miss$status, 404L)
  expect_equal(miss$json$code, "model_not_cached")
  bad <- http_bytes(paste0(base, "/models/", other$modelSha256), "PUT", obytes[-1])
  expect_equal(bad$status, 400L)
  expect_equal(jsonlite::fromJSON(rawToChar(bad$content))$code, "sha256_mismatch")
  put <- http_bytes(paste0(base, "/models/", other$modelSha256), "PUT", obytes)
  expect_equal(put$status, 200L)
  expect_equal(jsonlite::fromJSON(rawToChar(put$content))$bytes, length(obytes))
  hit <- http_json(paste0(base, "/predict/lda"), "POST", list(modelSha256 = other$modelSha256, features = as_rows(d$X[1, , drop = FALSE])))
  expect_equal(hit$status, 200L)
  expect_equal(hit$json$predictions[[1]]$label, "B")
  expect_equal(http_bytes(paste0(base, "/models/", strrep("0", 64)))$status, 404L)

  bad <- http_json(paste0(base, "/train/knn"), "POST", "{oops")
  expect_equal(bad$status, 400L)
  expect_match(bad$type, "application/json")
  expect_match(bad$json$error, "not valid JSON")

  missing <- http_json(paste0(base, "/predict/lda"), "POST", list(modelPath = "/no/such.rds", features = list()))
  expect_equal(missing$status, 400L)
  expect_match(missing$json$error, "unknown field.*'modelPath'")

  nope <- http_json(paste0(base, "/nope"))
  expect_equal(nope$status, 404L)
})

test_that("training runs in another process: ping and predict answer while it is running", {
  skip_if_not_installed("curl")
  srv <- start_server()
  on.exit(tools::pskill(srv$pid), add = TRUE)
  d <- make_clusters(n = 10L, classes = c("A", "B"))
  done <- train_over_http(srv$base, "lda", list(features = as_rows(d$X), labels = d$y, options = list(cvFolds = 2)))
  expect_equal(done$status, "done")

  # a forest big enough to still be running after several requests
  set.seed(4)
  big <- make_clusters(n = 400L, classes = c("A", "B", "C"), p = 6L, sep = 0.3)
  r <- http_json(paste0(srv$base, "/train/rf"), "POST",
    list(features = as_rows(big$X), labels = big$y, options = list(numTrees = 3000, numThreads = 1))
  )
  expect_equal(r$status, 202L)
  id <- r$json$trainingId
  ping <- http_json(paste0(srv$base, "/ping"))
  expect_equal(ping$json$training$active, 1L)
  expect_equal(ping$json$training$jobs[[1]]$trainingId, id)
  p <- http_json(paste0(srv$base, "/predict/lda"), "POST", list(modelSha256 = done$result$modelSha256, features = as_rows(d$X[1:3, ])))
  expect_equal(p$status, 200L)
  # the predict answered while the training was still going: status is read after the predict
  expect_equal(http_json(paste0(srv$base, "/train/status/", id))$json$status, "running")

  # a second and third training: the cap (2) makes the third wait
  r2 <- http_json(paste0(srv$base, "/train/rf"), "POST",
    list(features = as_rows(big$X), labels = big$y, options = list(numTrees = 3000, numThreads = 1))
  )
  expect_equal(r2$status, 202L)
  r3 <- http_json(paste0(srv$base, "/train/lda"), "POST", list(features = as_rows(d$X), labels = d$y))
  expect_equal(r3$status, 429L)
  expect_match(r3$json$error, "already running")

  # cancelling ends them; the process is gone and the slot is free again
  c1 <- http_json(paste0(srv$base, "/train/status/", id), "DELETE", "{}")
  expect_equal(c1$json$status, "failed")
  expect_match(c1$json$error, "cancelled")
  http_json(paste0(srv$base, "/train/status/", r2$json$trainingId), "DELETE", "{}")
  expect_equal(http_json(paste0(srv$base, "/ping"))$json$training$active, 0L)

  # bad input is refused synchronously, before any process starts
  bad <- http_json(paste0(srv$base, "/train/knn"), "POST", list(features = as_rows(d$X), labels = d$y[-1]))
  expect_equal(bad$status, 400L)
  expect_equal(http_json(paste0(srv$base, "/train/status/nope"))$status, 404L)
})

test_that("a training that fails in its process reports the error and status", {
  skip_if_not_installed("curl")
  cache <- tempfile("bc-cache-")
  srv <- start_server(c(R_MODEL_CACHE_DIR = cache))
  on.exit(tools::pskill(srv$pid), add = TRUE)
  d <- make_clusters(n = 10L, classes = c("A", "B"))
  # the model cache cannot be written (a file stands where the directory was)
  unlink(cache, recursive = TRUE)
  writeLines("x", cache)
  res <- train_over_http(srv$base, "lda", list(features = as_rows(d$X), labels = d$y))
  expect_equal(res$status, "failed")
  expect_equal(res$errorStatus, 500L)
  expect_match(res$error, "model cache")
})
