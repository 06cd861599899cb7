# Model fitting and prediction: z-scoring, KNN (class::knn), LDA (MASS::lda), random forest (ranger).
#
# Every fit_* function takes a numeric matrix X (raw features, named columns) and a character vector
# y, and returns a list with `classes` (the labels it saw, C-locale sorted) and everything predict
# needs. predict_model() returns a probability matrix (rows = input rows, columns = model classes).

sort_labels <- function(y) sort(unique(as.character(y)), method = "radix")

# ---- z-scoring ---------------------------------------------------------------------------------

#' Centre/scale from the training data. Columns with (numerically) zero variance are dropped.
fit_scaler <- function(X) {
  centre <- colMeans(X)
  scale <- if (nrow(X) > 1L) sqrt(colSums(sweep(X, 2L, centre)^2) / (nrow(X) - 1L)) else rep(0, ncol(X))
  names(scale) <- colnames(X)
  zero <- !is.finite(scale) | scale <= 1e-12 * pmax(1, abs(centre))
  list(
    features = colnames(X)[!zero],
    centre = centre[!zero],
    scale = scale[!zero],
    dropped = colnames(X)[zero]
  )
}

apply_scaler <- function(scaler, X) {
  Z <- X[, scaler$features, drop = FALSE]
  Z <- sweep(Z, 2L, scaler$centre, "-")
  sweep(Z, 2L, scaler$scale, "/")
}

dropped_entries <- function(names, reason) {
  lapply(names, function(n) list(name = n, reason = reason))
}

# ---- KNN ---------------------------------------------------------------------------------------

KNN_TIE_EPS <- 1e-4 # class::knn's relative tolerance for distance ties (use.all = TRUE)

fit_knn <- function(Z, y, opts) {
  classes <- sort_labels(y)
  list(
    classes = classes,
    train = Z,
    labels = factor(y, levels = classes),
    k = min(opts$k, nrow(Z)),
    weighting = opts$weighting,
    seed = opts$seed
  )
}

#' Vote fractions over the k nearest training rows (all rows tied with the k-th are included, as
#' class::knn(use.all = TRUE) does). With weighting = "distance" each vote is weighted 1/distance.
knn_votes <- function(fit, Z) {
  tr <- fit$train
  cl <- as.integer(fit$labels)
  n_cls <- length(fit$classes)
  k <- fit$k
  P <- matrix(0, nrow(Z), n_cls, dimnames = list(NULL, fit$classes))
  nearest <- integer(nrow(Z))
  if (nrow(Z) == 0L) return(list(P = P, nearest = nearest))
  tr_sq <- rowSums(tr^2)
  block <- 256L
  for (start in seq(1L, nrow(Z), by = block)) {
    rows <- start:min(nrow(Z), start + block - 1L)
    Zb <- Z[rows, , drop = FALSE]
    D <- outer(rowSums(Zb^2), tr_sq, "+") - 2 * tcrossprod(Zb, tr)
    D[D < 0] <- 0
    for (i in seq_along(rows)) {
      d <- D[i, ]
      kth <- if (k < length(d)) sort(d, partial = k)[k] else max(d)
      nb <- which(d <= kth * (1 + KNN_TIE_EPS) + 1e-10)
      w <- 1 / (sqrt(d[nb]) + 1e-8)
      votes <- if (identical(fit$weighting, "distance")) {
        vapply(seq_len(n_cls), function(c) sum(w[cl[nb] == c]), numeric(1))
      } else {
        tabulate(cl[nb], nbins = n_cls)
      }
      P[rows[i], ] <- votes / sum(votes)
      nearest[rows[i]] <- cl[nb[which.min(d[nb])]]
    }
  }
  list(P = P, nearest = nearest)
}

predict_knn <- function(fit, Z) {
  v <- knn_votes(fit, Z)
  P <- v$P
  if (nrow(Z) == 0L) return(list(P = P, label = character(0)))
  # Tie-break among equally voted classes: the class of the nearest neighbour if it is among them,
  # otherwise class::knn's (seeded, hence reproducible) random choice for uniform votes.
  label_idx <- integer(nrow(P))
  uniform_knn <- NULL
  for (i in seq_len(nrow(P))) {
    top <- which(P[i, ] >= max(P[i, ]) - 1e-12)
    if (length(top) == 1L) {
      label_idx[i] <- top
    } else if (v$nearest[i] %in% top) {
      label_idx[i] <- v$nearest[i]
    } else {
      label_idx[i] <- top[1L]
    }
  }
  if (identical(fit$weighting, "uniform")) {
    # The reference implementation decides the label; our vote matrix gives the probabilities.
    set.seed(fit$seed)
    uniform_knn <- as.integer(class::knn(fit$train, Z, fit$labels, k = fit$k, use.all = TRUE))
    agree <- P[cbind(seq_len(nrow(P)), uniform_knn)] >= apply(P, 1L, max) - 1e-12
    label_idx[agree] <- uniform_knn[agree]
  }
  list(P = P, label = fit$classes[label_idx])
}

# ---- LDA ---------------------------------------------------------------------------------------

#' MASS::lda on the z-scored matrix, after removing columns that would make it fail: columns that
#' are constant within every class, then columns linearly dependent on the others (pivoted QR of the
#' within-class centred data). Warnings from lda are collected, not printed.
fit_lda <- function(Z, y, opts) {
  classes <- sort_labels(y)
  g <- factor(y, levels = classes)
  counts <- tabulate(as.integer(g), nbins = length(classes))
  means <- rowsum(Z, g, reorder = TRUE) / counts
  W <- Z - means[as.integer(g), , drop = FALSE]
  df <- max(1L, nrow(Z) - length(classes))
  wsd <- sqrt(colSums(W^2) / df)
  const <- colnames(Z)[wsd < 1e-6]
  keep <- setdiff(colnames(Z), const)
  collinear <- character(0)
  if (length(keep) > 1L) {
    q <- qr(W[, keep, drop = FALSE] / rep(wsd[keep], each = nrow(W)), tol = 1e-7)
    if (q$rank < length(keep)) {
      collinear <- keep[q$pivot[(q$rank + 1L):length(keep)]]
      keep <- keep[sort(q$pivot[seq_len(q$rank)])]
    }
  }
  if (length(keep) == 0L) {
    stop_api("LDA: no usable features remain (all are constant within classes or collinear)", status = 422L)
  }
  prior <- if (identical(opts$prior, "uniform")) rep(1 / length(classes), length(classes)) else counts / sum(counts)
  warnings <- character(0)
  fit <- withCallingHandlers(
    tryCatch(
      MASS::lda(Z[, keep, drop = FALSE], grouping = g, prior = prior),
      error = function(e) stop_api(paste0("LDA could not be fitted: ", conditionMessage(e)), status = 422L)
    ),
    warning = function(w) {
      warnings <<- c(warnings, paste0("lda: ", conditionMessage(w)))
      invokeRestart("muffleWarning")
    }
  )
  list(
    classes = classes,
    lda = fit,
    features = keep,
    dropped = c(
      dropped_entries(const, "constant within every class (LDA)"),
      dropped_entries(collinear, "linearly dependent on other features (LDA)")
    ),
    warnings = warnings
  )
}

predict_lda <- function(fit, Z) {
  if (nrow(Z) == 0L) {
    return(list(P = matrix(0, 0L, length(fit$classes), dimnames = list(NULL, fit$classes)), label = character(0)))
  }
  post <- stats::predict(fit$lda, newdata = Z[, fit$features, drop = FALSE])$posterior
  P <- matrix(0, nrow(Z), length(fit$classes), dimnames = list(NULL, fit$classes))
  P[, colnames(post)] <- post
  P <- P / rowSums(P)
  list(P = P, label = fit$classes[max.col(P, ties.method = "first")])
}

# ---- random forest -----------------------------------------------------------------------------

fit_rf <- function(Z, y, opts) {
  classes <- sort_labels(y)
  g <- factor(y, levels = classes)
  counts <- tabulate(as.integer(g), nbins = length(classes))
  weights <- if (identical(opts$classWeights, "balanced")) sum(counts) / (length(classes) * counts) else rep(1, length(classes))
  mtry <- if (is.null(opts$mtry)) NULL else min(opts$mtry, ncol(Z))
  fit <- ranger::ranger(
    x = as.data.frame(Z, check.names = FALSE, stringsAsFactors = FALSE), y = g,
    num.trees = opts$numTrees, mtry = mtry, min.node.size = opts$minNodeSize,
    probability = TRUE, class.weights = weights, seed = opts$seed,
    num.threads = opts$numThreads, verbose = FALSE
  )
  list(classes = classes, rf = fit, numThreads = opts$numThreads)
}

predict_rf <- function(fit, Z) {
  if (nrow(Z) == 0L) {
    return(list(P = matrix(0, 0L, length(fit$classes), dimnames = list(NULL, fit$classes)), label = character(0)))
  }
  pred <- stats::predict(fit$rf, data = as.data.frame(Z, check.names = FALSE), num.threads = fit$numThreads %||% 1L)$predictions
  if (is.null(dim(pred))) pred <- matrix(pred, nrow = 1L, dimnames = list(NULL, names(pred)))
  P <- matrix(0, nrow(Z), length(fit$classes), dimnames = list(NULL, fit$classes))
  P[, colnames(pred)] <- pred
  P <- P / rowSums(P)
  list(P = P, label = fit$classes[max.col(P, ties.method = "first")])
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# ---- dispatch ----------------------------------------------------------------------------------

METHODS <- c("knn", "lda", "rf")

#' Fit scaler + model on raw features X. Returns list(scaler, fit, dropped, warnings).
fit_model <- function(method, X, y, opts) {
  scaler <- fit_scaler(X)
  if (length(scaler$features) == 0L) {
    stop_api("no usable features: every feature column has zero variance in the training data", status = 422L)
  }
  Z <- apply_scaler(scaler, X)
  fit <- switch(method,
    knn = fit_knn(Z, y, opts),
    lda = fit_lda(Z, y, opts),
    rf = fit_rf(Z, y, opts),
    stop_api(sprintf("unknown method '%s'", method), status = 404L)
  )
  list(
    method = method,
    scaler = scaler,
    fit = fit,
    dropped = c(dropped_entries(scaler$dropped, "zero variance in the training data"), fit$dropped),
    warnings = fit$warnings %||% character(0)
  )
}

#' Predict with a fitted model on raw features X (columns matched by name). Returns list(P, label).
predict_model <- function(model, X) {
  Z <- apply_scaler(model$scaler, X)
  switch(model$method,
    knn = predict_knn(model$fit, Z),
    lda = predict_lda(model$fit, Z),
    rf = predict_rf(model$fit, Z)
  )
}
