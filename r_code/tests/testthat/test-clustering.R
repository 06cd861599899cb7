# r_code/clustering.R: every algorithm on well separated blobs, the knee eps, the file protocol.
sys.source(file.path(R_CODE_DIR, "clustering.R"), envir = environment())

blobs <- function() {
  d <- make_clusters(n = 40L, p = 4L, sep = 12, seed = 3L)
  list(X = standardise(d$X), y = d$y)
}

test_that("each algorithm recovers three separated groups", {
  b <- blobs()
  params <- list(
    kmeans = list(k = 3), gmm = list(k = 3), spectral = list(k = 3), dbscan = list(eps = 0.8, minPts = 5),
    autodbscan = list(), hdbscan = list(minPts = 10), optics = list(minPts = 10), ap = list(q = 0.1), meanshift = list()
  )
  for (alg in names(ALGORITHMS)) {
    set.seed(42)
    r <- ALGORITHMS[[alg]](b$X, params[[alg]])
    ari <- mclust::adjustedRandIndex(r$labels, b$y)
    expect_gte(ari, 0.9, label = sprintf("%s ARI %.3f", alg, ari))
    expect_true(all(r$confidence >= 0 & r$confidence <= 1), label = alg)
  }
})

test_that("auto-DBSCAN's eps lies between the within-group and between-group distances", {
  b <- blobs()
  eps <- knee_eps(b$X, 5L)
  expect_gt(eps, 0)
  expect_lt(eps, min(stats::dist(rbind(colMeans(b$X[1:40, ]), colMeans(b$X[41:80, ]), colMeans(b$X[81:120, ])))))
})

test_that("a job directory in, labels/confidence/embedding/result out; bad k is an input error", {
  b <- blobs()
  dir <- tempfile("bc-cluster-")
  dir.create(dir)
  con <- file(file.path(dir, "features.f32"), "wb")
  writeBin(as.numeric(t(b$X)), con, size = 4L, endian = "little")
  close(con)
  writeLines(jsonlite::toJSON(list(n = 120, d = 4, algorithm = "kmeans", params = list(k = 3), seed = 42, embedding = "pca"), auto_unbox = TRUE), file.path(dir, "job.json"))
  run_clustering(dir)
  labels <- readBin(file.path(dir, "labels.i32"), "integer", n = 121, size = 4L, endian = "little")
  expect_length(labels, 120)
  expect_gte(mclust::adjustedRandIndex(labels, b$y), 0.99)
  emb <- readBin(file.path(dir, "embedding.f32"), "numeric", n = 241, size = 4L, endian = "little")
  expect_length(emb, 240)
  res <- jsonlite::fromJSON(file.path(dir, "result.json"))
  expect_equal(sort(res$clusters$size), c(40, 40, 40))
  expect_equal(res$sweep$k, 2:10)
  expect_gt(res$silhouette, 0.5)
  writeLines(jsonlite::toJSON(list(n = 120, d = 4, algorithm = "kmeans", params = list(k = 200)), auto_unbox = TRUE), file.path(dir, "job.json"))
  expect_error(run_clustering(dir), class = "clustering_error")
  unlink(dir, recursive = TRUE)
})

test_that("k = 2 works (two centres are enough for a confidence)", {
  b <- blobs()
  r <- fit_kmeans(b$X[1:80, ], list(k = 2))
  expect_gte(mclust::adjustedRandIndex(r$labels, b$y[1:80]), 0.99)
  expect_true(all(r$confidence > 0 & r$confidence <= 1))
})
