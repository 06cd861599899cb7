# HTTP layer: request handlers and the plumber router.

SERVER_STARTED_AT <- Sys.time()

COMMON_TRAIN_OPTIONS <- c("cvFolds", "seed", "minSamplesPerLabel", "dropRareLabels", "prior")
KNN_OPTIONS <- c("k", "weighting")
RF_OPTIONS <- c("numTrees", "mtry", "minNodeSize", "classWeights", "numThreads")
METHOD_TRAIN_OPTIONS <- list(
  knn = KNN_OPTIONS,
  lda = character(0),
  rf = RF_OPTIONS,
  ensemble = c(KNN_OPTIONS, RF_OPTIONS)
)

check_known_fields <- function(body, allowed) {
  unknown <- setdiff(names(body), allowed)
  if (length(unknown) > 0L) {
    stop_api(sprintf("unknown field(s) %s in request body; allowed: %s", fmt_list(unknown), paste(allowed, collapse = ", ")))
  }
}

parse_train_options <- function(method, opts) {
  if (is.null(opts) || (is.list(opts) && length(opts) == 0L)) opts <- list()
  if (!is.list(opts) || is.data.frame(opts) || (length(opts) > 0L && is.null(names(opts)))) {
    stop_api("'options' must be an object")
  }
  check_known_options(opts, c(COMMON_TRAIN_OPTIONS, METHOD_TRAIN_OPTIONS[[method]]))
  o <- list(
    cvFolds = opt_int(opts, "cvFolds", 5L, 0L, 100L),
    seed = opt_int(opts, "seed", 42L, -.Machine$integer.max, .Machine$integer.max),
    minSamplesPerLabel = opt_int(opts, "minSamplesPerLabel", 2L, 1L, 1e6),
    dropRareLabels = opt_bool(opts, "dropRareLabels", FALSE)
  )
  if (o$cvFolds == 1L) stop_api("options.cvFolds must be 0 (no cross-validation) or at least 2")
  # "uniform": posteriors on an equal-prior scale, which is what balanced accuracy rewards (rare
  # call types are found); "proportional": the training frequencies (higher plain accuracy).
  o$prior <- opt_choice(opts, "prior", c("uniform", "proportional"))
  if (method %in% c("knn", "ensemble")) {
    o$k <- if (is.null(opts$k) || identical(opts$k, "auto")) "auto" else opt_int(opts, "k", 5L, 1L, 1000L)
    o$weighting <- opt_choice(opts, "weighting", c("distance", "uniform"))
  }
  if (method %in% c("rf", "ensemble")) {
    o$numTrees <- opt_int(opts, "numTrees", 500L, 1L, 20000L)
    o$mtry <- if (is.null(opts$mtry)) NULL else opt_int(opts, "mtry", 1L, 1L, 10000L)
    o$minNodeSize <- opt_int(opts, "minNodeSize", 1L, 1L, 1e6)
    o$classWeights <- opt_choice(opts, "classWeights", c("balanced", "none"))
    o$numThreads <- opt_int(opts, "numThreads", min(2L, max(1L, parallel::detectCores(), na.rm = TRUE)), 1L, 256L)
  }
  o
}

package_versions <- function() {
  pkgs <- c("plumber", "jsonlite", "MASS", "class", "ranger", "httpuv")
  stats::setNames(lapply(pkgs, function(p) tryCatch(as.character(utils::packageVersion(p)), error = function(e) NULL)), pkgs)
}

ping_info <- function() {
  list(
    status = "ok",
    service = "battycoda-r-classifier",
    rVersion = paste(R.version$major, R.version$minor, sep = "."),
    rVersionString = R.version.string,
    packages = package_versions(),
    methods = I(METHODS),
    pid = Sys.getpid(),
    uptimeSeconds = as.numeric(difftime(Sys.time(), SERVER_STARTED_AT, units = "secs")),
    training = training_summary(),
    modelCache = cache_summary()
  )
}

#' Validate a training request and reduce it to what fitting needs. Everything that can be wrong
#' with the input is found here, synchronously, so bad requests get their 4xx at once and only
#' well-formed work is handed to a training process.
prepare_training <- function(method, body) {
  check_known_fields(body, c("features", "labels", "options"))
  opts <- parse_train_options(method, body$options)
  X <- parse_features(body$features)
  y <- parse_labels(body$labels, nrow(X))
  n_input <- nrow(X)

  dd <- dedup_rows(X, y)
  # 1-based positions in the request of the rows that are trained on (for out-of-fold predictions)
  rows <- dd$keep
  X <- X[dd$keep, , drop = FALSE]
  y <- y[dd$keep]
  warnings <- character(0)
  if (dd$conflicting > 0L) {
    warnings <- c(warnings, sprintf("%d feature vector(s) occur with more than one label", dd$conflicting))
  }

  counts <- table(factor(y, levels = sort_labels(y)))
  rare <- names(counts)[counts < opts$minSamplesPerLabel]
  dropped_labels <- list()
  if (length(rare) > 0L) {
    desc <- paste(sprintf("'%s' (%d)", rare, as.integer(counts[rare])), collapse = ", ")
    if (!opts$dropRareLabels) {
      stop_api(
        sprintf(
          "label(s) with fewer than %d distinct samples: %s. Label more calls of these types, set options.dropRareLabels=true to leave them out, or options.minSamplesPerLabel=1 to keep them",
          opts$minSamplesPerLabel, desc
        ),
        status = 422L,
        details = list(rareLabels = lapply(rare, function(r) list(label = r, count = as.integer(counts[[r]]))))
      )
    }
    dropped_labels <- lapply(rare, function(r) list(label = r, count = as.integer(counts[[r]])))
    keep <- !(y %in% rare)
    X <- X[keep, , drop = FALSE]
    y <- y[keep]
    rows <- rows[keep]
    warnings <- c(warnings, sprintf("left out rare label(s) %s", desc))
  }
  classes <- sort_labels(y)
  if (length(classes) < 2L) {
    stop_api(sprintf("at least 2 distinct labels are needed to train a classifier (got %d)", length(classes)), status = 422L)
  }
  if (is.numeric(opts$k) && opts$k > nrow(X)) {
    stop_api(sprintf("options.k (%d) is larger than the number of distinct training rows (%d)", opts$k, nrow(X)), status = 422L)
  }
  if (opts$cvFolds > nrow(X)) {
    stop_api(sprintf("options.cvFolds (%d) is larger than the number of distinct training rows (%d)", opts$cvFolds, nrow(X)), status = 422L)
  }
  if (length(fit_scaler(X)$features) == 0L) {
    stop_api("no usable features: every feature column has zero variance in the training data", status = 422L)
  }
  class_counts <- as.list(stats::setNames(as.integer(table(factor(y, levels = classes))), classes))
  small <- classes[unlist(class_counts) < opts$cvFolds]
  if (opts$cvFolds >= 2L && length(small) > 0L) {
    warnings <- c(warnings, sprintf("label(s) %s have fewer samples than cvFolds; some folds train without them", fmt_list(small)))
  }
  list(
    method = method, opts = opts, cacheDir = model_cache_dir(), X = X, y = y, rows = rows,
    classes = classes, classCounts = class_counts, nInput = n_input, nDuplicates = dd$removed,
    droppedLabels = dropped_labels, warnings = warnings
  )
}

#' Fit, cross-validate and save a prepared training into the model cache; returns the response
#' body, which names the model by its sha256 (GET /models/<sha256> downloads it). `progress(fraction,
#' stage)` is called after each step (the training process writes it where /train/status reads it).
run_training <- function(prep, progress = function(fraction, stage) NULL) {
  t0 <- proc.time()[["elapsed"]]
  method <- prep$method
  opts <- prep$opts
  X <- prep$X
  y <- prep$y
  warnings <- prep$warnings
  steps <- if (opts$cvFolds >= 2L) opts$cvFolds + 1L else 1L
  cv <- NULL
  if (opts$cvFolds >= 2L) {
    cv <- cross_validate(method, X, y, opts, opts$cvFolds, opts$seed,
      rows = prep$rows,
      progress = function(f) progress(f / steps, sprintf("cross-validation fold %d of %d", f, opts$cvFolds))
    )
  }
  model <- fit_model(method, X, y, opts)
  warnings <- c(warnings, model$warnings)
  progress(1, "saving the model")
  features_used <- model$scaler$features
  tuning <- model$fit$tuning
  obj <- list(
    format = "battycoda-classifier",
    formatVersion = 1L,
    method = method,
    classes = prep$classes,
    inputFeatures = colnames(X),
    features = features_used,
    model = model,
    options = opts,
    classCounts = prep$classCounts,
    cv = if (is.null(cv)) NULL else cv[c("folds", "seed", "accuracy", "balancedAccuracy", "macroF1")],
    trainedAt = format(Sys.time(), "%Y-%m-%dT%H:%M:%OS3Z", tz = "UTC"),
    rVersion = paste(R.version$major, R.version$minor, sep = "."),
    packages = package_versions()
  )
  saved <- cache_save_model(obj, prep$cacheDir)

  list(
    method = method,
    modelSha256 = saved$sha256,
    modelSize = saved$bytes,
    classes = I(prep$classes),
    classCounts = prep$classCounts,
    featureNames = I(features_used),
    droppedFeatures = if (length(model$dropped) == 0L) I(list()) else model$dropped,
    droppedLabels = if (length(prep$droppedLabels) == 0L) I(list()) else prep$droppedLabels,
    nInputRows = prep$nInput,
    nDuplicatesRemoved = prep$nDuplicates,
    nTrainingRows = nrow(X),
    options = lapply(opts, function(v) if (is.null(v)) NULL else v),
    tuning = if (is.null(tuning)) NULL else list(k = tuning$k),
    cv = cv,
    warnings = I(unique(c(warnings, if (!is.null(cv)) cv$warnings))),
    trainedAt = obj$trainedAt,
    rVersion = obj$rVersion,
    packages = obj$packages,
    elapsedSeconds = proc.time()[["elapsed"]] - t0
  )
}

#' Synchronous training in this process (unit tests, scripts); the HTTP API uses a training process.
handle_train <- function(method, body) run_training(prepare_training(method, body))

handle_predict <- function(method, body) {
  check_known_fields(body, c("features", "modelSha256"))
  sha <- check_sha256(body$modelSha256)
  obj <- load_cached_model(sha)
  if (!identical(obj$method, method)) {
    stop_api(sprintf("model %s is a %s model; use POST /predict/%s", sha, obj$method, obj$method), status = 400L)
  }
  X <- parse_features(body$features, required = obj$features, keep_only_required = TRUE, allow_empty = TRUE)
  r <- predict_model(obj$model, X)
  predictions <- data.frame(label = r$label, stringsAsFactors = FALSE)
  predictions$confidence <- if (nrow(r$P) > 0L) apply(r$P, 1L, max) else numeric(0)
  predictions$probabilities <- as.data.frame(r$P, check.names = FALSE, optional = TRUE)
  list(
    method = method,
    modelSha256 = sha,
    classes = I(obj$classes),
    featureNames = I(obj$features),
    predictions = if (nrow(predictions) == 0L) I(list()) else predictions
  )
}

#' A handler's answer that is bytes, not JSON (GET /models/<sha256>).
binary_response <- function(bytes, type = "application/octet-stream") {
  structure(list(bytes = bytes, type = type), class = "binary_response")
}

#' Wrap a handler so that every outcome is a JSON response (or the bytes of a binary_response):
#' api_error -> its 4xx status with {"error": message, "status": n, "code"?: name, "details"?: ...};
#' any other R error -> 500 with the message.
json_endpoint <- function(fun, ok_status = 200L) {
  force(fun)
  function(req, res) {
    t0 <- proc.time()[["elapsed"]]
    result <- tryCatch(
      list(status = ok_status, body = fun(req)),
      api_error = function(e) {
        body <- list(error = conditionMessage(e), status = e$status)
        if (!is.null(e$code)) body$code <- e$code
        if (!is.null(e$details)) body$details <- e$details
        list(status = e$status, body = body)
      },
      error = function(e) {
        list(status = 500L, body = list(error = paste0("internal error: ", conditionMessage(e)), status = 500L))
      }
    )
    res$status <- result$status
    if (inherits(result$body, "binary_response")) {
      res$setHeader("Content-Type", result$body$type)
      res$body <- result$body$bytes
    } else {
      res$setHeader("Content-Type", "application/json")
      res$body <- enc2utf8(as.character(to_json(result$body)))
    }
    quiet <- identical(req$PATH_INFO, "/ping") || startsWith(req$PATH_INFO, "/train/status/")
    if (!quiet || result$status >= 400L) {
      message(sprintf(
        "[r-server] %s %s -> %d (%.2fs)%s", req$REQUEST_METHOD, req$PATH_INFO, result$status,
        proc.time()[["elapsed"]] - t0,
        if (result$status >= 400L) paste0(": ", result$body$error) else ""
      ))
    }
    res
  }
}

#' A body "parser" that leaves the body alone: handlers parse req$bodyRaw themselves so that invalid
#' JSON becomes a 400 with a message instead of plumber's generic 500.
register_raw_parser <- function() {
  plumber::register_parser("battycoda_raw", function(...) function(value, ...) NULL, regex = ".*", verbose = FALSE)
}

build_router <- function() {
  register_raw_parser()
  pr <- plumber::pr()
  pr <- plumber::pr_set_serializer(pr, plumber::serializer_unboxed_json())
  pr <- plumber::pr_get(pr, "/ping", json_endpoint(function(req) ping_info()))
  pr <- plumber::pr_get(pr, "/train/status/<id>", json_endpoint(function(req) training_status(req$args$id %||% "")))
  pr <- plumber::pr_delete(pr, "/train/status/<id>", json_endpoint(function(req) cancel_training(req$args$id %||% "")))
  pr <- plumber::pr_put(pr, "/models/<sha>",
    json_endpoint(function(req) handle_put_model(req$args$sha %||% "", req$bodyRaw)),
    parsers = "battycoda_raw"
  )
  pr <- plumber::pr_get(pr, "/models/<sha>", json_endpoint(function(req) handle_get_model(req$args$sha %||% "")))
  for (m in METHODS) {
    local({
      method <- m
      # 202 + trainingId: the work runs in another process (R/jobs.R); poll GET /train/status/<id>.
      pr <<- plumber::pr_post(pr, paste0("/train/", method),
        json_endpoint(function(req) start_training(method, parse_json_body(req$bodyRaw)), ok_status = 202L),
        parsers = "battycoda_raw"
      )
      pr <<- plumber::pr_post(pr, paste0("/predict/", method),
        json_endpoint(function(req) {
          require_cached_model(req$bodyRaw)
          handle_predict(method, parse_json_body(req$bodyRaw))
        }),
        parsers = "battycoda_raw"
      )
    })
  }
  pr <- plumber::pr_set_404(pr, function(req, res) {
    res$status <- 404L
    list(error = sprintf("no endpoint %s %s", req$REQUEST_METHOD, req$PATH_INFO), status = 404L)
  })
  pr <- plumber::pr_set_error(pr, function(req, res, err) {
    res$status <- 500L
    list(error = paste0("internal error: ", conditionMessage(err)), status = 500L)
  })
  pr
}
