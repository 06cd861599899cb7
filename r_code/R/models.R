# Model fitting and prediction: z-scoring, KNN (class::knn), LDA (MASS::lda), random forest (ranger).
#
# Every fit_* function takes a numeric matrix X (raw features, named columns) and a character vector
# y, and returns a list with `classes` (the labels it saw, C-locale sorted) and everything predict
# needs. predict_model() returns a probability matrix (rows = input rows, columns = model classes).

# predict() dispatches to MASS's and ranger's methods only once their namespaces are loaded; the
# server itself never fits (training processes do), so load them here.
invisible(lapply(c("MASS", "class", "ranger"), loadNamespace))

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
  weighting <- opts$weighting %||% "distance"
  prior <- opts$prior %||% "proportional"
  auto <- is.null(opts$k) || identical(opts$k, "auto")
  tuning <- if (auto) select_k(Z, y, weighting, prior, opts$seed %||% 42L) else NULL
  list(
    classes = classes,
    train = Z,
    labels = factor(y, levels = classes),
    k = min(if (auto) tuning$k else opts$k, nrow(Z)),
    weighting = weighting,
    seed = opts$seed %||% 42L,
    tuning = tuning
  )
}

KNN_K_CANDIDATES <- c(1L, 3L, 5L, 7L, 10L, 15L, 20L, 30L, 40L)

#' Choose k by an inner stratified CV on the training rows only (so an outer CV stays honest):
#' the k whose out-of-fold predictions -- with the same weighting and prior as the final model --
#' have the best balanced accuracy; ties go to the smaller k. Neighbour ties (use.all) are ignored
#' here for speed: they change nothing but the rare exact-tie row.
select_k <- function(Z, y, weighting, prior, seed) {
  classes <- sort_labels(y)
  n <- nrow(Z)
  inner <- min(5L, n)
  cand <- KNN_K_CANDIDATES[KNN_K_CANDIDATES <= max(1L, floor(n * (inner - 1) / inner))]
  if (n < 4L || length(cand) <= 1L) return(list(k = cand[1L] %||% 1L, scores = NULL))
  folds <- stratified_folds(y, inner, seed)
  cl <- as.integer(factor(y, levels = classes))
  kmax <- max(cand)
  pred <- matrix(NA_integer_, n, length(cand))
  for (f in seq_len(inner)) {
    te <- which(folds == f)
    tr <- which(folds != f)
    if (length(te) == 0L || length(tr) == 0L) next
    kk <- min(kmax, length(tr))
    D <- sq_dist(Z[te, , drop = FALSE], Z[tr, , drop = FALSE])
    prior_tr <- tabulate(cl[tr], nbins = length(classes)) / length(tr)
    for (i in seq_along(te)) {
      o <- order(D[i, ])[seq_len(kk)]
      lab <- cl[tr][o]
      w <- if (identical(weighting, "distance")) 1 / (sqrt(D[i, o]) + 1e-8) else rep(1, kk)
      cw <- apply(outer(lab, seq_along(classes), "==") * w, 2L, cumsum)
      if (is.null(dim(cw))) cw <- matrix(cw, nrow = 1L)
      for (j in seq_along(cand)) {
        v <- cw[min(cand[j], kk), ]
        if (identical(prior, "uniform")) v <- ifelse(prior_tr > 0, v / pmax(prior_tr, 1e-12), 0)
        pred[te[i], j] <- which.max(v)
      }
    }
  }
  scores <- vapply(seq_along(cand), function(j) {
    ok <- !is.na(pred[, j])
    mean(vapply(unique(cl[ok]), function(c) mean(pred[ok & cl == c, j] == c), numeric(1)))
  }, numeric(1))
  list(k = cand[which.max(scores)], scores = stats::setNames(as.list(scores), cand))
}

#' Squared Euclidean distances between the rows of A and of B.
sq_dist <- function(A, B) {
  D <- outer(rowSums(A^2), rowSums(B^2), "+") - 2 * tcrossprod(A, B)
  D[D < 0] <- 0
  D
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
    distance <- identical(fit$weighting, "distance")
    for (i in seq_along(rows)) {
      d <- D[i, ]
      kth <- if (k < length(d)) sort(d, partial = k)[k] else max(d)
      nb <- which(d <= kth * (1 + KNN_TIE_EPS) + 1e-10)
      if (distance) {
        # a weighted tabulate without a per-class R loop (predict speed on big batches)
        s <- rowsum(1 / (sqrt(d[nb]) + 1e-8), cl[nb])
        votes <- numeric(n_cls)
        votes[as.integer(rownames(s))] <- s[, 1L]
      } else {
        votes <- tabulate(cl[nb], nbins = n_cls)
      }
      P[rows[i], ] <- votes / sum(votes)
      nearest[rows[i]] <- cl[nb[which.min(d[nb])]]
    }
  }
  list(P = P, nearest = nearest)
}

predict_knn <- function(fit, Z, prior = "proportional") {
  v <- knn_votes(fit, Z)
  P <- v$P
  if (nrow(Z) == 0L) return(list(P = P, label = character(0)))
  adjusted <- identical(prior, "uniform")
  if (adjusted) P <- reweight_to_uniform(P, fit$classPrior)
  # Tie-break among equally voted classes: the class of the nearest neighbour if it is among them,
  # otherwise class::knn's (seeded, hence reproducible) random choice for uniform votes.
  mx <- apply(P, 1L, max)
  label_idx <- max.col(P, ties.method = "first")
  tied <- which(rowSums(P >= mx - 1e-12) > 1L)
  for (i in tied) {
    top <- which(P[i, ] >= mx[i] - 1e-12)
    if (v$nearest[i] %in% top) label_idx[i] <- v$nearest[i]
  }
  if (identical(fit$weighting, "uniform") && !adjusted) {
    # The reference implementation decides the label; our vote matrix gives the probabilities.
    set.seed(fit$seed)
    uniform_knn <- as.integer(class::knn(fit$train, Z, fit$labels, k = fit$k, use.all = TRUE))
    agree <- P[cbind(seq_len(nrow(P)), uniform_knn)] >= mx - 1e-12
    label_idx[agree] <- uniform_knn[agree]
  }
  list(P = P, label = fit$classes[label_idx])
}

#' Posterior under equal class priors: p(c|x) / pi_c, renormalised. Balanced accuracy (mean recall)
#' is maximised by this rule when p is calibrated, which is why it is the default for rare call types.
reweight_to_uniform <- function(P, class_prior) {
  if (is.null(class_prior) || nrow(P) == 0L) return(P)
  pri <- as.numeric(class_prior[colnames(P)])
  Q <- sweep(P, 2L, pmax(pri, 1e-12), "/")
  s <- rowSums(Q)
  # a row with no mass at all stays as it was rather than becoming NaN
  bad <- !(s > 0)
  Q[!bad, ] <- Q[!bad, , drop = FALSE] / s[!bad]
  Q[bad, ] <- P[bad, , drop = FALSE]
  Q
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

predict_rf <- function(fit, Z, prior = "proportional") {
  if (nrow(Z) == 0L) {
    return(list(P = matrix(0, 0L, length(fit$classes), dimnames = list(NULL, fit$classes)), label = character(0)))
  }
  pred <- stats::predict(fit$rf, data = as.data.frame(Z, check.names = FALSE), num.threads = fit$numThreads %||% 1L)$predictions
  if (is.null(dim(pred))) pred <- matrix(pred, nrow = 1L, dimnames = list(NULL, names(pred)))
  P <- matrix(0, nrow(Z), length(fit$classes), dimnames = list(NULL, fit$classes))
  P[, colnames(pred)] <- pred
  P <- P / rowSums(P)
  if (identical(prior, "uniform")) P <- reweight_to_uniform(P, fit$classPrior)
  list(P = P, label = fit$classes[max.col(P, ties.method = "first")])
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# ---- ensemble ----------------------------------------------------------------------------------

ENSEMBLE_MEMBERS <- c("lda", "rf", "knn")

#' Each member fitted on the same z-scored matrix with its own defaults; prediction averages their
#' probabilities (each already on the equal-prior scale when prior = "uniform"). The members make
#' different errors (linear boundaries, axis-aligned splits, local neighbourhoods), so the average
#' is steadier on rare call types than any one of them.
fit_ensemble <- function(Z, y, opts) {
  members <- lapply(stats::setNames(ENSEMBLE_MEMBERS, ENSEMBLE_MEMBERS), function(m) {
    fit <- switch(m, lda = fit_lda(Z, y, opts), rf = fit_rf(Z, y, opts), knn = fit_knn(Z, y, opts))
    fit$classPrior <- class_prior(y, fit$classes)
    fit
  })
  list(
    classes = sort_labels(y),
    members = members,
    dropped = members$lda$dropped,
    warnings = members$lda$warnings,
    tuning = list(k = members$knn$k)
  )
}

predict_ensemble <- function(fit, Z, prior) {
  Ps <- lapply(names(fit$members), function(m) predict_member(m, fit$members[[m]], Z, prior)$P)
  P <- Reduce(`+`, Ps) / length(Ps)
  if (nrow(P) > 0L) P <- P / rowSums(P)
  list(P = P, label = if (nrow(P) == 0L) character(0) else fit$classes[max.col(P, ties.method = "first")])
}

class_prior <- function(y, classes) {
  stats::setNames(tabulate(match(y, classes), nbins = length(classes)) / length(y), classes)
}

# ---- dispatch ----------------------------------------------------------------------------------

METHODS <- c("knn", "lda", "rf", "ensemble")

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
    ensemble = fit_ensemble(Z, y, opts),
    stop_api(sprintf("unknown method '%s'", method), status = 404L)
  )
  fit$classPrior <- class_prior(y, fit$classes)
  list(
    method = method,
    scaler = scaler,
    fit = fit,
    # LDA applies its prior itself; the others are reweighted at prediction (models saved before
    # this option existed have none: they predict as they always did).
    prior = opts$prior %||% "proportional",
    dropped = c(dropped_entries(scaler$dropped, "zero variance in the training data"), fit$dropped),
    warnings = fit$warnings %||% character(0)
  )
}

predict_member <- function(method, fit, Z, prior) {
  switch(method,
    knn = predict_knn(fit, Z, prior),
    lda = predict_lda(fit, Z),
    rf = predict_rf(fit, Z, prior),
    ensemble = predict_ensemble(fit, Z, prior)
  )
}

#' Predict with a fitted model on raw features X (columns matched by name). Returns list(P, label).
predict_model <- function(model, X) {
  Z <- apply_scaler(model$scaler, X)
  predict_member(model$method, model$fit, Z, model$prior %||% "proportional")
}
