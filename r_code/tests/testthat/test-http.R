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
  path <- tmp_model()
  tr <- http_json(paste0(base, "/train/lda"), "POST",
    list(features = as_rows(d$X), labels = d$y, modelPath = path, options = list(cvFolds = 4))
  )
  expect_equal(tr$status, 200L)
  expect_equal(tr$json$cv$accuracy, 1)
  expect_equal(tr$json$cv$confusionMatrix$matrix, list(list(8L, 0L), list(0L, 8L)))

  p1 <- http_json(paste0(base, "/predict/lda"), "POST", list(modelPath = path, features = as_rows(d$X[1, , drop = FALSE])))
  expect_equal(p1$status, 200L)
  expect_equal(p1$json$predictions[[1]]$label, "A")
  expect_equal(sum(unlist(p1$json$predictions[[1]]$probabilities)), 1)

  bad <- http_json(paste0(base, "/train/knn"), "POST", "{oops")
  expect_equal(bad$status, 400L)
  expect_match(bad$type, "application/json")
  expect_match(bad$json$error, "not valid JSON")

  missing <- http_json(paste0(base, "/predict/lda"), "POST", list(modelPath = "/no/such.rds", features = list()))
  expect_equal(missing$status, 404L)
  expect_match(missing$json$error, "model file not found")

  nope <- http_json(paste0(base, "/nope"))
  expect_equal(nope$status, 404L)
})
