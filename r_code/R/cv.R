# Stratified k-fold cross-validation and classification metrics.

#' Fold assignment (1..k) stratified by label. Within each class rows are shuffled (seeded) and dealt
#' round-robin; the dealing position carries over between classes so small classes spread out.
stratified_folds <- function(y, k, seed) {
  set.seed(seed)
  folds <- integer(length(y))
  offset <- 0L
  for (cls in sort_labels(y)) {
    idx <- which(y == cls)
    idx <- idx[sample.int(length(idx))]
    folds[idx] <- ((seq_along(idx) - 1L + offset) %% k) + 1L
    offset <- (offset + length(idx)) %% k
  }
  folds
}

#' Accuracy, balanced accuracy (mean recall over classes present in `truth`), macro F1, per-class
#' precision/recall/F1/support and the confusion matrix (rows = true label, columns = predicted).
#' Precision of a class that is never predicted is reported as 0 (as is its F1).
classification_metrics <- function(truth, pred, classes) {
  cm <- table(factor(truth, levels = classes), factor(pred, levels = classes))
  cm <- matrix(as.integer(cm), nrow = length(classes), dimnames = list(classes, classes))
  support <- rowSums(cm)
  predicted <- colSums(cm)
  tp <- diag(cm)
  recall <- ifelse(support > 0, tp / pmax(support, 1), 0)
  precision <- ifelse(predicted > 0, tp / pmax(predicted, 1), 0)
  f1 <- ifelse(precision + recall > 0, 2 * precision * recall / pmax(precision + recall, 1e-300), 0)
  present <- support > 0
  per_class <- data.frame(
    label = classes, precision = unname(precision), recall = unname(recall), f1 = unname(f1),
    support = unname(as.integer(support)), predicted = unname(as.integer(predicted)),
    stringsAsFactors = FALSE
  )
  list(
    n = length(truth),
    accuracy = sum(tp) / max(1L, length(truth)),
    balancedAccuracy = mean(recall[present]),
    macroF1 = mean(f1[present]),
    perClass = per_class,
    confusionMatrix = list(labels = I(classes), matrix = unname(cm))
  )
}

#' Run stratified k-fold CV of `method` on (X, y): preprocessing and fitting (including any inner
#' tuning such as KNN's k) happen inside each fold, on the training part only. Returns metrics, the
#' CV settings and the out-of-fold prediction of every row (`rows`: its 1-based index in the request).
cross_validate <- function(method, X, y, opts, folds_k, seed, rows = seq_along(y), progress = NULL) {
  classes <- sort_labels(y)
  folds <- stratified_folds(y, folds_k, seed)
  pred <- character(length(y))
  warnings <- character(0)
  for (f in seq_len(folds_k)) {
    test <- which(folds == f)
    if (length(test) > 0L) {
      train <- which(folds != f)
      m <- fit_model(method, X[train, , drop = FALSE], y[train], opts)
      warnings <- c(warnings, m$warnings)
      pred[test] <- predict_model(m, X[test, , drop = FALSE])$label
    }
    if (!is.null(progress)) progress(f)
  }
  metrics <- classification_metrics(y, pred, classes)
  c(
    list(folds = folds_k, seed = seed, stratified = TRUE), metrics,
    list(
      warnings = I(unique(warnings)),
      predictions = data.frame(row = as.integer(rows), label = y, predicted = pred, stringsAsFactors = FALSE)
    )
  )
}
