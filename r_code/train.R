#!/usr/bin/env Rscript
# One training, in its own process (started by the server, see R/jobs.R):
#   Rscript r_code/train.R <job dir> [server pid]
# Reads <dir>/job.rds (a validated request), writes progress.json as it goes, then result.rds or
# error.rds. Exits early if the server that started it is gone (nobody would read the result).

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1L) {
  message("usage: train.R <job dir> [server pid]")
  quit(status = 2L)
}
dir <- args[[1]]
server_pid <- if (length(args) >= 2L) as.integer(args[[2]]) else NA_integer_

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(normalizePath(sub("^--file=", "", file_arg))) else getwd()
})
R_CODE_DIR <- script_dir
for (f in c("util.R", "data.R", "cache.R", "models.R", "cv.R", "api.R")) source(file.path(script_dir, "R", f))

write_atomic <- function(write, path) {
  tmp <- paste0(path, ".tmp")
  write(tmp)
  file.rename(tmp, path)
}

progress <- function(fraction, stage) {
  if (!is.na(server_pid) && dir.exists("/proc/self") && !file.exists(sprintf("/proc/%d", server_pid))) {
    message("server is gone; stopping")
    quit(status = 3L)
  }
  write_atomic(function(p) writeLines(as.character(jsonlite::toJSON(list(fraction = fraction, stage = stage), auto_unbox = TRUE)), p),
    file.path(dir, "progress.json"))
}

outcome <- tryCatch(
  {
    prep <- readRDS(file.path(dir, "job.rds"))
    progress(0, "fitting")
    list(ok = TRUE, value = run_training(prep, progress))
  },
  api_error = function(e) list(ok = FALSE, value = list(message = conditionMessage(e), status = e$status, details = e$details)),
  error = function(e) list(ok = FALSE, value = list(message = paste0("internal error: ", conditionMessage(e)), status = 500L))
)
if (outcome$ok) {
  write_atomic(function(p) saveRDS(outcome$value, p), file.path(dir, "result.rds"))
} else {
  write_atomic(function(p) saveRDS(outcome$value, p), file.path(dir, "error.rds"))
}
quit(status = 0L)
