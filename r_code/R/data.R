# Turning request JSON into a numeric feature matrix + labels, and deduplication.

#' Convert the `features` field of a request into a numeric matrix with column names.
#'
#' Accepts either an array of row objects (`[{"duration": 0.01, ...}, ...]`, parsed by jsonlite
#' into a data.frame) or an object of equal-length numeric arrays (`{"duration": [...], ...}`).
#' `required` (optional) is the set of columns that must be present; other columns are kept
#' unless `keep_only_required` is TRUE.
parse_features <- function(x, required = NULL, keep_only_required = FALSE, allow_empty = FALSE) {
  if (is.null(x)) stop_api("'features' is required")
  if (is.list(x) && !is.data.frame(x) && length(x) == 0L) {
    # [] (no rows) or {} (no columns)
    if (allow_empty && is.null(required)) return(matrix(numeric(0), nrow = 0L, ncol = 0L))
    if (allow_empty) {
      m <- matrix(numeric(0), nrow = 0L, ncol = length(required))
      colnames(m) <- required
      return(m)
    }
    stop_api("'features' has no rows")
  }
  if (is.data.frame(x)) {
    cols <- as.list(x)
  } else if (is.list(x) && !is.null(names(x)) && all(names(x) != "")) {
    cols <- x
    lens <- vapply(cols, length, integer(1))
    if (length(unique(lens)) > 1L) {
      stop_api(sprintf(
        "'features' given as columns must have equal lengths (got %s)",
        paste(sprintf("%s=%d", names(lens), lens)[seq_len(min(5L, length(lens)))], collapse = ", ")
      ))
    }
  } else {
    stop_api(
      "'features' must be an array of row objects ({\"column\": number, ...}) or an object of numeric column arrays"
    )
  }
  nested <- vapply(cols, function(v) is.list(v) || is.data.frame(v), logical(1))
  if (any(nested)) stop_api(sprintf("feature column(s) %s contain nested values; expected numbers", fmt_list(names(cols)[nested])))

  if (!is.null(required)) {
    missing <- setdiff(required, names(cols))
    if (length(missing) > 0L) {
      stop_api(sprintf("missing feature column(s): %s", fmt_list(missing)), details = list(missingColumns = I(missing)))
    }
    if (keep_only_required) cols <- cols[required]
  }
  if (length(cols) == 0L) stop_api("'features' has no columns")

  non_numeric <- names(cols)[!vapply(cols, function(v) is.numeric(v) || all(is.na(v)), logical(1))]
  if (length(non_numeric) > 0L) {
    stop_api(sprintf("feature column(s) %s must be numeric", fmt_list(non_numeric)),
      details = list(nonNumericColumns = I(non_numeric))
    )
  }
  m <- matrix(as.numeric(unlist(cols, use.names = FALSE)), ncol = length(cols))
  colnames(m) <- names(cols)
  bad <- !is.finite(m)
  if (any(bad)) {
    bad_cols <- colnames(m)[colSums(bad) > 0L]
    bad_rows <- which(rowSums(bad) > 0L)
    stop_api(
      sprintf(
        "features contain missing or non-finite values (null, NaN or Infinity) in column(s) %s at row(s) %s (1-based)",
        fmt_list(bad_cols), fmt_rows(bad_rows)
      ),
      details = list(columns = I(bad_cols), rows = I(utils::head(bad_rows, 100L)))
    )
  }
  m
}

parse_labels <- function(x, n) {
  if (is.null(x)) stop_api("'labels' is required")
  if (is.list(x) || !(is.character(x) || is.numeric(x) || (is.logical(x) && all(is.na(x))))) {
    stop_api("'labels' must be an array of strings")
  }
  labels <- as.character(x)
  if (length(labels) != n) {
    stop_api(sprintf("'labels' has %d entries but 'features' has %d rows", length(labels), n))
  }
  bad <- which(is.na(labels) | trimws(labels) == "")
  if (length(bad) > 0L) stop_api(sprintf("labels are missing or empty at row(s) %s (1-based)", fmt_rows(bad)))
  labels
}

#' Exact row keys (hexadecimal doubles, so "equal" means bit-for-bit equal values).
row_keys <- function(m) {
  if (ncol(m) == 0L) return(rep("", nrow(m)))
  do.call(paste, c(lapply(seq_len(ncol(m)), function(j) sprintf("%a", m[, j] + 0)), sep = "|"))
}

#' Remove exact duplicate rows (same features and same label). Returns the kept indices and the
#' number of feature vectors that still appear with more than one label (conflicts).
dedup_rows <- function(m, labels) {
  fkeys <- row_keys(m)
  keep <- which(!duplicated(paste(fkeys, labels, sep = "\r")))
  kept_keys <- fkeys[keep]
  conflicts <- sum(duplicated(kept_keys))
  list(keep = keep, removed = nrow(m) - length(keep), conflicting = conflicts)
}
