#!/usr/bin/env Rscript
# One clustering run, in its own process (started by the worker, like train.R is by the server):
#   Rscript r_code/clustering.R <job dir>
# Reads <dir>/job.json and <dir>/features.f32 (n x d float32, little-endian, row-major); writes
# progress.json as it goes, then labels.i32, confidence.f32, embedding.f32 and result.json, or
# error.json. Every file is renamed into place, so a reader sees a whole file or none.
#
# Everything here comes from Debian's R packages (stats, mclust, kernlab, dbscan, apcluster, cluster,
# uwot, Rtsne) except mean shift, which no Debian or maintained JS package offers: it is a few lines
# on dbscan's fixed-radius neighbour search (see mean_shift()).
#
# Methods whose memory grows with n^2 (a full distance or affinity matrix: spectral, affinity
# propagation, HDBSCAN, OPTICS, mean shift, silhouettes) are fitted on a seeded random sample and
# the other rows take the label of their nearest sampled neighbour / centroid / exemplar. The sample
# sizes are in result.json (fitSample), so a run says exactly what it did.

FIT_MAX <- list(spectral = 2000L, ap = 2000L, hdbscan = 5000L, optics = 5000L, meanshift = 5000L)
SILHOUETTE_SAMPLE <- 3000L
SWEEP_SAMPLE <- 2000L

clustering_error <- function(message) structure(class = c("clustering_error", "error", "condition"),
  list(message = message, call = NULL))

write_atomic <- function(write, path) {
  tmp <- paste0(path, ".tmp")
  write(tmp)
  file.rename(tmp, path)
}

write_json <- function(x, path) {
  write_atomic(function(p) writeLines(as.character(jsonlite::toJSON(x, auto_unbox = TRUE, digits = NA, null = "null", na = "null")), p), path)
}

write_bin <- function(x, what, path) {
  write_atomic(function(p) {
    con <- file(p, "wb")
    on.exit(close(con))
    if (what == "int") writeBin(as.integer(x), con, size = 4L, endian = "little")
    else writeBin(as.numeric(x), con, size = 4L, endian = "little")
  }, path)
}

read_features <- function(path, n, d) {
  con <- file(path, "rb")
  on.exit(close(con))
  v <- readBin(con, "numeric", n = n * d, size = 4L, endian = "little")
  if (length(v) != n * d) stop(clustering_error(sprintf("features.f32 holds %d values, expected %d x %d", length(v), n, d)))
  matrix(v, nrow = n, ncol = d, byrow = TRUE)
}

#' z-scores; columns without variance carry no information and are dropped.
standardise <- function(X) {
  mu <- colMeans(X)
  sdv <- sqrt(pmax(0, colMeans(X * X) - mu * mu) * nrow(X) / max(1, nrow(X) - 1))
  keep <- is.finite(sdv) & sdv > 1e-12
  if (!any(keep)) stop(clustering_error("every feature has the same value in every call: nothing to cluster on"))
  sweep(sweep(X[, keep, drop = FALSE], 2L, mu[keep]), 2L, sdv[keep], "/")
}

sample_rows <- function(n, m) if (n <= m) seq_len(n) else sort(sample.int(n, m))

#' Nearest row of `ref` for every row of `query` (index into ref).
nearest <- function(ref, query) {
  if (nrow(ref) == 1L) return(rep(1L, nrow(query)))
  as.integer(dbscan::kNN(ref, k = 1L, query = query)$id[, 1])
}

centroids_of <- function(X, labels) {
  ks <- sort(unique(labels[labels >= 0L]))
  if (length(ks) == 0L) return(matrix(numeric(0), 0L, ncol(X)))
  m <- rowsum(X[labels >= 0L, , drop = FALSE], labels[labels >= 0L])
  m / as.vector(table(labels[labels >= 0L]))[seq_len(nrow(m))]
}

#' 1 - d1/d2 (nearest over second-nearest centroid distance): 0 on a boundary, 1 at a centroid.
margin_confidence <- function(X, C) {
  if (nrow(C) < 2L) return(rep(1, nrow(X)))
  # squared distances to every centre, one centre at a time (n x K never needs more than K columns)
  d2 <- vapply(seq_len(nrow(C)), function(j) rowSums(sweep(X, 2L, C[j, ])^2), numeric(nrow(X)))
  if (is.null(dim(d2))) d2 <- matrix(d2, nrow = nrow(X))
  two <- t(apply(d2, 1L, function(r) sort(r, partial = 2L)[1:2]))
  ifelse(two[, 2] > 0, 1 - sqrt(two[, 1]) / sqrt(two[, 2]), 1)
}

#' Fits `fit(Xs)` (labels, 0-based, -1 noise) on a sample and gives other rows their nearest sampled row's label.
fit_on_sample <- function(X, m, fit) {
  idx <- sample_rows(nrow(X), m)
  lab_s <- fit(X[idx, , drop = FALSE])
  labels <- integer(nrow(X))
  labels[idx] <- lab_s$labels
  conf <- numeric(nrow(X))
  conf[idx] <- lab_s$confidence
  rest <- setdiff(seq_len(nrow(X)), idx)
  if (length(rest) > 0L) {
    nn <- nearest(X[idx, , drop = FALSE], X[rest, , drop = FALSE])
    labels[rest] <- lab_s$labels[nn]
    conf[rest] <- lab_s$confidence[nn]
  }
  list(labels = labels, confidence = conf, fitSample = length(idx))
}

relabel <- function(labels) {
  # dense 0..K-1 by first appearance order of size (largest first); noise stays -1
  ok <- labels >= 0L
  if (!any(ok)) return(labels)
  sizes <- sort(table(labels[ok]), decreasing = TRUE)
  map <- stats::setNames(seq_along(sizes) - 1L, names(sizes))
  out <- rep(-1L, length(labels))
  out[ok] <- as.integer(map[as.character(labels[ok])])
  out
}

need_k <- function(p, n) {
  k <- as.integer(p$k %||% 0L)
  if (is.na(k) || k < 2L) stop(clustering_error("k must be at least 2"))
  if (k >= n) stop(clustering_error(sprintf("k (%d) must be smaller than the number of calls (%d)", k, n)))
  k
}

`%||%` <- function(a, b) if (is.null(a)) b else a

fit_kmeans <- function(X, p) {
  k <- need_k(p, nrow(X))
  km <- stats::kmeans(X, centers = k, nstart = as.integer(p$nstart %||% 10L), iter.max = 100L)
  list(labels = km$cluster - 1L, confidence = margin_confidence(X, km$centers))
}

fit_gmm <- function(X, p) {
  k <- need_k(p, nrow(X))
  # Mclust looks some of its functions up on the search path
  suppressPackageStartupMessages(library(mclust))
  init <- if (nrow(X) > 2000L) list(subset = sample_rows(nrow(X), 2000L)) else list()
  m <- mclust::Mclust(X, G = k, modelNames = c("VVV", "VVI", "VII", "EII"), initialization = init, verbose = FALSE)
  if (is.null(m)) stop(clustering_error("the Gaussian mixture could not be fitted with this k (too few calls per component?)"))
  list(labels = as.integer(m$classification) - 1L, confidence = apply(m$z, 1L, max))
}

fit_spectral <- function(X, p) {
  k <- need_k(p, nrow(X))
  fit_on_sample(X, FIT_MAX$spectral, function(Xs) {
    sc <- suppressMessages(kernlab::specc(Xs, centers = k))
    lab <- as.integer(sc@.Data) - 1L
    list(labels = lab, confidence = margin_confidence(Xs, centroids_of(Xs, lab)))
  })
}

fit_dbscan_eps <- function(X, eps, minPts) {
  db <- dbscan::dbscan(X, eps = eps, minPts = minPts)
  lab <- as.integer(db$cluster) - 1L
  core <- dbscan::is.corepoint(X, eps = eps, minPts = minPts)
  list(labels = lab, confidence = ifelse(lab < 0L, 0, ifelse(core, 1, 0.5)), eps = eps)
}

fit_dbscan <- function(X, p) {
  eps <- as.numeric(p$eps %||% NA)
  if (!is.finite(eps) || eps <= 0) stop(clustering_error("eps must be a positive number"))
  fit_dbscan_eps(X, eps, as.integer(p$minPts %||% 5L))
}

#' eps at the knee of the sorted k-distance curve: the point farthest from the chord between its ends.
knee_eps <- function(X, minPts) {
  idx <- sample_rows(nrow(X), 20000L)
  d <- sort(dbscan::kNNdist(X[idx, , drop = FALSE], k = max(1L, minPts - 1L)))
  n <- length(d)
  if (n < 3L || d[n] <= d[1]) return(max(d[n], 1e-6))
  x <- (seq_len(n) - 1) / (n - 1)
  y <- (d - d[1]) / (d[n] - d[1])
  d[which.max(x - y)]
}

fit_autodbscan <- function(X, p) {
  minPts <- as.integer(p$minPts %||% max(4L, 2L * ncol(X)))
  fit_dbscan_eps(X, knee_eps(X, minPts), minPts)
}

fit_hdbscan <- function(X, p) {
  minPts <- as.integer(p$minPts %||% 10L)
  fit_on_sample(X, FIT_MAX$hdbscan, function(Xs) {
    h <- dbscan::hdbscan(Xs, minPts = min(minPts, nrow(Xs) - 1L))
    list(labels = as.integer(h$cluster) - 1L, confidence = ifelse(h$cluster == 0L, 0, h$membership_prob))
  })
}

fit_optics <- function(X, p) {
  minPts <- as.integer(p$minPts %||% 10L)
  xi <- as.numeric(p$xi %||% 0.05)
  fit_on_sample(X, FIT_MAX$optics, function(Xs) {
    o <- dbscan::optics(Xs, minPts = minPts)
    cl <- dbscan::extractXi(o, xi = xi)$cluster
    lab <- as.integer(cl) - 1L
    list(labels = lab, confidence = ifelse(lab < 0L, 0, 1))
  })
}

fit_ap <- function(X, p) {
  q <- as.numeric(p$q %||% 0.5)
  fit_on_sample(X, FIT_MAX$ap, function(Xs) {
    a <- apcluster::apcluster(apcluster::negDistMat(r = 2), Xs, q = q, seed = 42L)
    lab <- integer(nrow(Xs))
    for (i in seq_along(a@clusters)) lab[a@clusters[[i]]] <- i - 1L
    list(labels = lab, confidence = margin_confidence(Xs, Xs[a@exemplars, , drop = FALSE]))
  })
}

#' Mean shift (flat kernel): seeds climb to the mean of their neighbours within the bandwidth until
#' they stop moving; modes closer than a bandwidth merge; each call joins its nearest mode. The
#' default bandwidth is scikit-learn's estimate (mean distance to the 30 % nearest neighbours).
mean_shift <- function(X, bandwidth = NULL, maxSeeds = 300L) {
  n <- nrow(X)
  if (is.null(bandwidth) || !is.finite(bandwidth) || bandwidth <= 0) {
    s <- X[sample_rows(n, 1000L), , drop = FALSE]
    k <- max(1L, floor(0.3 * nrow(s)) - 1L)
    bandwidth <- mean(dbscan::kNN(s, k = min(k, nrow(s) - 1L))$dist[, min(k, nrow(s) - 1L)])
  }
  seeds <- X[sample_rows(n, maxSeeds), , drop = FALSE]
  for (iter in seq_len(300L)) {
    nb <- dbscan::frNN(X, eps = bandwidth, query = seeds)$id
    moved <- seeds
    for (i in seq_len(nrow(seeds))) if (length(nb[[i]]) > 0L) moved[i, ] <- colMeans(X[nb[[i]], , drop = FALSE])
    shift <- sqrt(rowSums((moved - seeds)^2))
    seeds <- moved
    if (max(shift) < 1e-3 * bandwidth) break
  }
  counts <- lengths(dbscan::frNN(X, eps = bandwidth, query = seeds)$id)
  ord <- order(counts, decreasing = TRUE)
  modes <- seeds[ord[1], , drop = FALSE]
  for (i in ord[-1]) {
    d <- sqrt(colSums((t(modes) - seeds[i, ])^2))
    if (min(d) >= bandwidth) modes <- rbind(modes, seeds[i, ])
  }
  lab <- nearest(modes, X) - 1L
  list(labels = lab, confidence = margin_confidence(X, modes), bandwidth = bandwidth)
}

fit_meanshift <- function(X, p) {
  bw <- if (is.null(p$bandwidth)) NULL else as.numeric(p$bandwidth)
  out <- NULL
  r <- fit_on_sample(X, FIT_MAX$meanshift, function(Xs) {
    out <<- mean_shift(Xs, bw)
    out
  })
  r$bandwidth <- out$bandwidth
  r
}

ALGORITHMS <- list(
  kmeans = fit_kmeans, gmm = fit_gmm, spectral = fit_spectral, dbscan = fit_dbscan,
  autodbscan = fit_autodbscan, hdbscan = fit_hdbscan, optics = fit_optics, ap = fit_ap, meanshift = fit_meanshift
)
K_BASED <- c("kmeans", "gmm", "spectral")

#' Mean silhouette width over a sample of the non-noise calls; NA with fewer than 2 clusters.
silhouette_of <- function(X, labels, m = SILHOUETTE_SAMPLE) {
  ok <- which(labels >= 0L)
  if (length(unique(labels[ok])) < 2L) return(NA_real_)
  idx <- if (length(ok) > m) sort(sample(ok, m)) else ok
  if (length(unique(labels[idx])) < 2L) return(NA_real_)
  s <- cluster::silhouette(labels[idx] + 1L, stats::dist(X[idx, , drop = FALSE]))
  mean(s[, "sil_width"])
}

k_sweep <- function(X, algorithm, p, kMin, kMax) {
  # one eigen-decomposition per k: spectral sweeps a smaller sample
  idx <- sample_rows(nrow(X), if (algorithm == "spectral") 500L else SWEEP_SAMPLE)
  Xs <- X[idx, , drop = FALSE]
  ks <- seq.int(kMin, min(kMax, nrow(Xs) - 1L))
  lapply(ks, function(k) {
    s <- tryCatch({
      r <- ALGORITHMS[[algorithm]](Xs, utils::modifyList(p, list(k = k)))
      silhouette_of(Xs, r$labels)
    }, error = function(e) NA_real_)
    list(k = k, silhouette = s)
  })
}

embed_2d <- function(X, method, nonlinearMax) {
  n <- nrow(X)
  if (identical(method, "auto")) method <- if (n <= nonlinearMax) "umap" else "pca"
  if (n < 4L || ncol(X) < 2L) method <- "pca"
  if (method == "umap") {
    e <- uwot::umap(X, n_neighbors = min(15L, n - 1L), min_dist = 0.1, n_threads = 1L, n_sgd_threads = 1L, verbose = FALSE)
  } else if (method == "tsne") {
    e <- Rtsne::Rtsne(X, perplexity = max(1, min(30, floor((n - 1) / 3))), check_duplicates = FALSE, num_threads = 1L)$Y
  } else {
    method <- "pca"
    if (ncol(X) == 1L) e <- cbind(X[, 1], 0)
    else e <- stats::prcomp(X, rank. = 2L, center = TRUE, scale. = FALSE)$x
  }
  list(xy = e, method = method)
}

run_clustering <- function(dir, progress = function(fraction, stage) NULL) {
  job <- jsonlite::fromJSON(file.path(dir, "job.json"), simplifyVector = TRUE)
  n <- as.integer(job$n)
  d <- as.integer(job$d)
  algorithm <- job$algorithm
  p <- if (is.null(job$params) || length(job$params) == 0L) list() else as.list(job$params)
  if (is.null(ALGORITHMS[[algorithm]])) stop(clustering_error(sprintf("unknown algorithm '%s'", algorithm)))
  if (n < 3L) stop(clustering_error(sprintf("at least 3 calls are needed to cluster (got %d)", n)))
  set.seed(as.integer(job$seed %||% 42L))
  progress(0.02, "standardising")
  X <- standardise(read_features(file.path(dir, "features.f32"), n, d))
  progress(0.1, "clustering")
  fit <- ALGORITHMS[[algorithm]](X, p)
  labels <- relabel(as.integer(fit$labels))
  conf <- pmin(1, pmax(0, as.numeric(fit$confidence)))
  conf[labels < 0L] <- 0
  progress(0.5, "silhouette")
  sil <- silhouette_of(X, labels)
  sweep_out <- NULL
  if (algorithm %in% K_BASED && !isFALSE(job$sweep)) {
    progress(0.55, "k sweep")
    sweep_out <- k_sweep(X, algorithm, p, as.integer(job$kMin %||% 2L), as.integer(job$kMax %||% 10L))
  }
  progress(0.7, "embedding")
  emb <- embed_2d(X, job$embedding %||% "auto", as.integer(job$nonlinearMax %||% 20000L))
  progress(0.95, "writing")
  C <- centroids_of(X, labels)
  ks <- sort(unique(labels[labels >= 0L]))
  clusters <- lapply(seq_along(ks), function(i) {
    members <- which(labels == ks[i])
    dd <- colSums((t(X[members, , drop = FALSE]) - C[i, ])^2)
    list(index = ks[i], size = length(members), representative = members[which.min(dd)] - 1L, centroid = I(as.numeric(C[i, ])))
  })
  write_bin(labels, "int", file.path(dir, "labels.i32"))
  write_bin(conf, "float", file.path(dir, "confidence.f32"))
  write_bin(t(emb$xy), "float", file.path(dir, "embedding.f32"))
  pkgs <- c("mclust", "kernlab", "dbscan", "apcluster", "cluster", "uwot", "Rtsne")
  write_json(list(
    clusters = if (length(clusters)) clusters else I(list()),
    noise = sum(labels < 0L),
    silhouette = if (is.na(sil)) NULL else sil,
    sweep = if (is.null(sweep_out)) NULL else sweep_out,
    embedding = emb$method,
    usedFeatures = ncol(X),
    fitSample = fit$fitSample %||% n,
    chosen = list(eps = fit$eps %||% NULL, bandwidth = fit$bandwidth %||% NULL),
    rVersion = paste(R.version$major, R.version$minor, sep = "."),
    packages = stats::setNames(lapply(pkgs, function(x) as.character(utils::packageVersion(x))), pkgs)
  ), file.path(dir, "result.json"))
  invisible(TRUE)
}

if (sys.nframe() == 0L) {
  args <- commandArgs(trailingOnly = TRUE)
  if (length(args) < 1L) {
    message("usage: clustering.R <job dir>")
    quit(status = 2L)
  }
  dir <- args[[1]]
  progress <- function(fraction, stage) write_json(list(fraction = fraction, stage = stage), file.path(dir, "progress.json"))
  outcome <- tryCatch(
    {
      run_clustering(dir, progress)
      NULL
    },
    clustering_error = function(e) list(message = conditionMessage(e), kind = "input"),
    error = function(e) list(message = paste0("internal error: ", conditionMessage(e)), kind = "internal")
  )
  if (!is.null(outcome)) {
    write_json(outcome, file.path(dir, "error.json"))
    quit(status = 1L)
  }
  quit(status = 0L)
}
