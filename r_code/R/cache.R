# The model cache. A model is named by the sha256 of its .rds bytes and kept here as
# <dir>/<sha256>.rds, so the same model is the same name on every R server and a client can ask a
# server for it without sending it first. The app keeps the originals in its media store; this is
# only a cache, bounded by size (least recently used out first), so any server can be wiped,
# replaced or added on another host at any time: a missing model is answered with the error code
# "model_not_cached" and the client uploads it (PUT /models/<sha256>).

SHA256_PATTERN <- "^[0-9a-f]{64}$"

#' R_MODEL_CACHE_DIR, else a folder in this process's tempdir (gone when the server exits). The
#' training processes are told the resolved folder: their own tempdir() is another one.
model_cache_dir <- function() {
  dir <- Sys.getenv("R_MODEL_CACHE_DIR", "")
  if (!nzchar(dir)) dir <- file.path(tempdir(), "battycoda-models")
  if (!dir.exists(dir)) dir.create(dir, recursive = TRUE, showWarnings = FALSE)
  normalizePath(dir, mustWork = FALSE)
}

env_bytes <- function(name, default) {
  v <- suppressWarnings(as.numeric(Sys.getenv(name, "")))
  if (is.na(v) || v <= 0) default else v
}

#' Total size the cache may hold before the least recently used models are removed.
model_cache_max_bytes <- function() env_bytes("R_MODEL_CACHE_MAX_BYTES", 2 * 1024^3)

#' Largest model accepted by PUT /models (plumber holds the whole body in memory).
model_max_bytes <- function() env_bytes("R_MODEL_MAX_BYTES", 512 * 1024^2)

check_sha256 <- function(sha, field = "modelSha256") {
  if (is.null(sha) || !is.character(sha) || length(sha) != 1L || is.na(sha) || !grepl(SHA256_PATTERN, sha)) {
    stop_api(sprintf("'%s' must be a sha256: 64 lowercase hexadecimal digits", field))
  }
  sha
}

sha256_hex <- function(bytes) paste(as.character(sodium::sha256(bytes)), collapse = "")

cache_file <- function(sha, dir = model_cache_dir()) file.path(dir, paste0(sha, ".rds"))

not_cached <- function(sha) {
  stop_api(
    sprintf("model %s is not in this server's cache; upload it with PUT /models/%s", sha, sha),
    status = 404L, details = list(sha256 = sha), code = "model_not_cached"
  )
}

.cache_tmp <- new.env()
.cache_tmp$n <- 0L

#' A temporary name inside the cache folder (same file system, so the final rename is atomic).
#' Not from the RNG: training seeds must not be disturbed by file naming.
cache_temp_file <- function(dir) {
  .cache_tmp$n <- .cache_tmp$n + 1L
  file.path(dir, sprintf(".incoming-%d-%d.tmp", Sys.getpid(), .cache_tmp$n))
}

#' Saves a trained model into the cache under the sha256 of its bytes; returns sha256 and size.
cache_save_model <- function(obj, dir) {
  tmp <- cache_temp_file(dir)
  on.exit(unlink(tmp), add = TRUE)
  tryCatch(saveRDS(obj, tmp), error = function(e) {
    stop_api(sprintf("cannot write the model into the model cache %s: %s", dir, conditionMessage(e)), status = 500L)
  })
  bytes <- readBin(tmp, "raw", file.size(tmp))
  sha <- sha256_hex(bytes)
  if (!file.rename(tmp, cache_file(sha, dir))) {
    stop_api(sprintf("cannot move the model into the model cache %s", dir), status = 500L)
  }
  list(sha256 = sha, bytes = length(bytes))
}

# Parsed models by sha256: a cached file never changes, so its name is the whole key.
.model_cache <- new.env()

remember_model <- function(sha, obj) {
  if (length(ls(.model_cache)) >= 16L) rm(list = ls(.model_cache), envir = .model_cache)
  assign(sha, obj, envir = .model_cache)
  obj
}

#' readRDS + the checks that it is a BattyCoda model this server can apply (422 otherwise).
read_model_file <- function(path, label) {
  obj <- tryCatch(readRDS(path), error = function(e) {
    stop_api(sprintf("cannot read model %s: %s", label, conditionMessage(e)), status = 422L)
  })
  if (!is.list(obj) || !identical(obj$format, "battycoda-classifier")) {
    stop_api(sprintf("%s is not a BattyCoda classifier model", label), status = 422L)
  }
  if (!isTRUE(obj$formatVersion <= 1L)) {
    stop_api(sprintf("model %s has format version %s; this server reads version 1", label, obj$formatVersion), status = 422L)
  }
  obj
}

#' The model of that sha256 from the cache; 404 model_not_cached when this server lacks it. Using a
#' model refreshes its time, which is what the least-recently-used eviction goes by.
load_cached_model <- function(sha) {
  f <- cache_file(sha)
  if (!file.exists(f)) {
    if (exists(sha, envir = .model_cache, inherits = FALSE)) rm(list = sha, envir = .model_cache)
    not_cached(sha)
  }
  Sys.setFileTime(f, Sys.time())
  if (exists(sha, envir = .model_cache, inherits = FALSE)) return(get(sha, envir = .model_cache))
  # A file that was whole when stored but cannot be read now is damaged: drop it and have the
  # client send it again rather than fail this model on this server for good.
  obj <- tryCatch(read_model_file(f, sha), api_error = function(e) {
    unlink(f)
    not_cached(sha)
  })
  remember_model(sha, obj)
}

#' Answers model_not_cached before the body is parsed when the request names, near its start, a
#' model this server lacks: parsing a large feature table only to ask for the model would double
#' the cost of a first call (the client sends modelSha256 first). Anything else is left to the
#' full parse and its checks.
require_cached_model <- function(raw_body) {
  if (is.null(raw_body) || length(raw_body) == 0L) return(invisible(NULL))
  first <- raw_body[seq_len(min(length(raw_body), 512L))]
  head <- rawToChar(first[first != as.raw(0L)])
  m <- regmatches(head, regexec('"modelSha256"\\s*:\\s*"([0-9a-f]{64})"', head, useBytes = TRUE))[[1]]
  if (length(m) == 2L && !file.exists(cache_file(m[[2]]))) not_cached(m[[2]])
  invisible(NULL)
}

#' PUT /models/<sha256>: store uploaded .rds bytes after checking their hash, size and content.
handle_put_model <- function(sha, bytes) {
  check_sha256(sha, "sha256")
  max <- model_max_bytes()
  if (is.null(bytes) || length(bytes) == 0L) stop_api("the request body is empty: send the model's .rds bytes")
  if (length(bytes) > max) {
    stop_api(
      sprintf("the model is %.0f bytes; this server accepts at most %.0f (R_MODEL_MAX_BYTES)", length(bytes), max),
      status = 413L, details = list(bytes = length(bytes), maxBytes = max), code = "model_too_large"
    )
  }
  actual <- sha256_hex(bytes)
  if (!identical(actual, sha)) {
    stop_api(
      sprintf("the body's sha256 is %s, not %s", actual, sha),
      status = 400L, details = list(expected = sha, actual = actual), code = "sha256_mismatch"
    )
  }
  dir <- model_cache_dir()
  f <- cache_file(sha, dir)
  stored <- !file.exists(f)
  if (stored) {
    tmp <- cache_temp_file(dir)
    on.exit(unlink(tmp), add = TRUE)
    writeBin(bytes, tmp)
    # parsed once here, so the predict that follows the upload finds it in memory
    obj <- read_model_file(tmp, sha)
    if (!file.rename(tmp, f)) stop_api(sprintf("cannot move the model into the model cache %s", dir), status = 500L)
    remember_model(sha, obj)
  } else {
    Sys.setFileTime(f, Sys.time())
  }
  cache_evict(dir, keep = sha)
  list(sha256 = sha, bytes = length(bytes), stored = stored)
}

#' GET /models/<sha256>: the cached .rds bytes (how a client fetches a model this server trained).
handle_get_model <- function(sha) {
  check_sha256(sha, "sha256")
  f <- cache_file(sha)
  if (!file.exists(f)) not_cached(sha)
  Sys.setFileTime(f, Sys.time())
  binary_response(readBin(f, "raw", file.size(f)))
}

cached_models <- function(dir = model_cache_dir()) {
  files <- list.files(dir, pattern = "^[0-9a-f]{64}\\.rds$", full.names = TRUE)
  info <- file.info(files)
  info$sha <- sub("\\.rds$", "", basename(files))
  info[!is.na(info$size), , drop = FALSE]
}

cache_summary <- function() {
  m <- cached_models()
  list(models = nrow(m), bytes = sum(m$size), maxBytes = model_cache_max_bytes())
}

#' Removes the least recently used models until the cache fits its size cap (never `keep`, the
#' model just stored), and temporary files left by a crash more than an hour ago.
cache_evict <- function(dir = model_cache_dir(), keep = character(0), max_bytes = model_cache_max_bytes()) {
  stale <- list.files(dir, pattern = "^\\.incoming-.*\\.tmp$", all.files = TRUE, full.names = TRUE)
  if (length(stale) > 0L) {
    age <- as.numeric(difftime(Sys.time(), file.info(stale)$mtime, units = "secs"))
    unlink(stale[!is.na(age) & age > 3600])
  }
  m <- cached_models(dir)
  total <- sum(m$size)
  removed <- character(0)
  for (i in order(m$mtime)) {
    if (total <= max_bytes) break
    if (m$sha[[i]] %in% keep) next
    unlink(rownames(m)[[i]])
    total <- total - m$size[[i]]
    removed <- c(removed, m$sha[[i]])
  }
  for (sha in intersect(removed, ls(.model_cache))) rm(list = sha, envir = .model_cache)
  invisible(removed)
}
