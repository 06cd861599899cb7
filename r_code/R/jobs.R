# Training in separate R processes, so a long fit never blocks /predict or /ping.
#
# The server validates a request (prepare_training), writes it to a job directory and starts
# `Rscript r_code/train.R <dir> <server pid>`; that process fits, cross-validates, saves the model
# into the model cache (R/cache.R) and writes progress.json, then result.rds or error.rds (each renamed into place, so a reader sees a
# whole file or none). The server only ever reads those files: /train/status and /ping stay instant.
# A fresh process (rather than a fork of this one) shares no sockets or threads with httpuv, frees all
# its memory when it exits, and a crash in it cannot take the server down.

.jobs <- new.env()
.jobs$list <- list()
.jobs$counter <- 0L

max_concurrent_trainings <- function() {
  n <- suppressWarnings(as.integer(Sys.getenv("R_TRAIN_MAX_CONCURRENT", "2")))
  if (is.na(n) || n < 1L) 2L else n
}

jobs_root <- function() {
  root <- Sys.getenv("R_TRAIN_DIR", "")
  if (!nzchar(root)) root <- file.path(tempdir(), "battycoda-training")
  dir.create(root, recursive = TRUE, showWarnings = FALSE)
  root
}

train_script <- function() {
  p <- Sys.getenv("BATTYCODA_TRAIN_SCRIPT", "")
  if (nzchar(p)) return(p)
  file.path(R_CODE_DIR, "train.R")
}

#' Is the process alive (and not a zombie)? /proc on Linux; elsewhere a signal-0 probe.
process_alive <- function(pid) {
  stat <- sprintf("/proc/%d/stat", as.integer(pid))
  if (dir.exists("/proc/self")) {
    if (!file.exists(stat)) return(FALSE)
    line <- tryCatch(readLines(stat, n = 1L, warn = FALSE), error = function(e) "")
    state <- sub("^.*\\) (\\S).*$", "\\1", line)
    return(!(state %in% c("Z", "X", "")))
  }
  isTRUE(tools::pskill(pid, 0L))
}

read_progress <- function(dir) {
  p <- file.path(dir, "progress.json")
  if (!file.exists(p)) return(list(fraction = 0, stage = "starting"))
  tryCatch(jsonlite::fromJSON(p), error = function(e) list(fraction = 0, stage = "starting"))
}

#' Bring a running job's state up to date from its files and process.
refresh_job <- function(job) {
  if (!identical(job$status, "running")) return(job)
  collect <- function() {
    res <- file.path(job$dir, "result.rds")
    err <- file.path(job$dir, "error.rds")
    if (file.exists(res)) {
      job$status <<- "done"
      job$result <<- readRDS(res)
      # the training added a model to the cache: keep it within its size (but keep this one)
      cache_evict(keep = job$result$modelSha256)
      return(TRUE)
    }
    if (file.exists(err)) {
      e <- readRDS(err)
      job$status <<- "failed"
      job$error <<- e
      return(TRUE)
    }
    FALSE
  }
  if (!collect()) {
    if (process_alive(job$pid)) {
      pr <- read_progress(job$dir)
      job$progress <- pr$fraction
      job$stage <- pr$stage
      return(job)
    }
    # It may have written its answer just before exiting.
    if (!collect()) {
      log <- tryCatch(utils::tail(readLines(file.path(job$dir, "train.log"), warn = FALSE), 5L), error = function(e) character(0))
      job$status <- "failed"
      job$error <- list(
        message = paste0("the training process exited without a result", if (length(log)) paste0(": ", paste(log, collapse = " | ")) else ""),
        status = 500L
      )
    }
  }
  job$progress <- if (identical(job$status, "done")) 1 else job$progress
  job$finishedAt <- Sys.time()
  unlink(job$dir, recursive = TRUE)
  job
}

refresh_jobs <- function() {
  for (id in names(.jobs$list)) .jobs$list[[id]] <- refresh_job(.jobs$list[[id]])
  # Finished jobs are kept an hour (the client polls within seconds), at most 200 of them.
  now <- Sys.time()
  done <- Filter(function(j) !identical(j$status, "running"), .jobs$list)
  old <- names(done)[vapply(done, function(j) as.numeric(difftime(now, j$finishedAt, units = "secs")) > 3600, logical(1))]
  if (length(done) - length(old) > 200L) {
    ord <- names(done)[order(vapply(done, function(j) as.numeric(j$finishedAt), numeric(1)))]
    old <- unique(c(old, utils::head(ord, length(done) - 200L)))
  }
  for (id in old) .jobs$list[[id]] <- NULL
  invisible(NULL)
}

active_jobs <- function() Filter(function(j) identical(j$status, "running"), .jobs$list)

training_summary <- function() {
  refresh_jobs()
  act <- active_jobs()
  list(
    active = length(act),
    max = max_concurrent_trainings(),
    jobs = if (length(act) == 0L) I(list()) else unname(lapply(act, function(j) {
      list(trainingId = j$id, method = j$method, progress = j$progress, stage = j$stage, startedAt = j$startedAtIso)
    }))
  )
}

#' Validate, then hand the training to a new R process. Returns the 202 body.
start_training <- function(method, body) {
  prep <- prepare_training(method, body)
  refresh_jobs()
  n_active <- length(active_jobs())
  cap <- max_concurrent_trainings()
  if (n_active >= cap) {
    stop_api(
      sprintf("%d training(s) already running (the limit is %d); retry when one has finished", n_active, cap),
      status = 429L, details = list(active = n_active, max = cap, retryAfterSeconds = 5L)
    )
  }
  .jobs$counter <- .jobs$counter + 1L
  # Not from the RNG: set.seed() in predictions must not make ids repeat.
  id <- sprintf("tr-%s-%d-%d", format(Sys.time(), "%Y%m%d%H%M%OS3"), Sys.getpid(), .jobs$counter)
  id <- gsub("[^A-Za-z0-9-]", "", id)
  dir <- file.path(jobs_root(), id)
  dir.create(dir, recursive = TRUE, showWarnings = FALSE)
  saveRDS(prep, file.path(dir, "job.rds"))
  rscript <- file.path(R.home("bin"), "Rscript")
  cmd <- sprintf(
    "%s --vanilla %s %s %d > %s 2>&1 & echo $!",
    shQuote(rscript), shQuote(train_script()), shQuote(dir), Sys.getpid(), shQuote(file.path(dir, "train.log"))
  )
  pid <- suppressWarnings(as.integer(system(cmd, intern = TRUE)))
  if (length(pid) != 1L || is.na(pid)) {
    unlink(dir, recursive = TRUE)
    stop_api("could not start a training process", status = 500L)
  }
  started <- Sys.time()
  .jobs$list[[id]] <- list(
    id = id, method = method, pid = pid, dir = dir, status = "running", progress = 0, stage = "starting",
    startedAt = started, startedAtIso = format(started, "%Y-%m-%dT%H:%M:%OS3Z", tz = "UTC")
  )
  list(trainingId = id, status = "running", method = method, statusUrl = paste0("/train/status/", id))
}

job_or_404 <- function(id) {
  refresh_jobs()
  job <- .jobs$list[[id]]
  if (is.null(job)) stop_api(sprintf("no training '%s' (finished trainings are kept for an hour)", id), status = 404L)
  job
}

training_status <- function(id) {
  job <- job_or_404(id)
  out <- list(trainingId = job$id, method = job$method, status = job$status, progress = job$progress,
    stage = job$stage %||% NULL, startedAt = job$startedAtIso)
  if (identical(job$status, "done")) out$result <- job$result
  if (identical(job$status, "failed")) {
    out$error <- job$error$message
    out$errorStatus <- as.integer(job$error$status %||% 500L)
    if (!is.null(job$error$details)) out$details <- job$error$details
  }
  out
}

cancel_training <- function(id) {
  job <- job_or_404(id)
  if (identical(job$status, "running")) {
    tools::pskill(job$pid, tools::SIGTERM)
    job$status <- "failed"
    job$error <- list(message = "training cancelled", status = 409L)
    job$finishedAt <- Sys.time()
    unlink(job$dir, recursive = TRUE)
    .jobs$list[[id]] <- job
  }
  training_status(id)
}
