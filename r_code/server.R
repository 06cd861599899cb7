#!/usr/bin/env Rscript
# BattyCoda classification server (plumber).
#   Rscript r_code/server.R [--port 8001] [--host 127.0.0.1]
# Environment: R_SERVER_PORT, R_SERVER_HOST, R_MODEL_CACHE_DIR, R_MODEL_CACHE_MAX_BYTES, R_MODEL_MAX_BYTES,
# R_TRAIN_MAX_CONCURRENT, R_TRAIN_DIR.
# See r_code/README.md for the JSON contract.

suppressPackageStartupMessages({
  library(plumber)
})

script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg) == 1L) dirname(normalizePath(sub("^--file=", "", file_arg))) else getwd()
})

R_CODE_DIR <- script_dir
for (f in c("util.R", "data.R", "cache.R", "models.R", "cv.R", "api.R", "jobs.R")) source(file.path(script_dir, "R", f))

parse_cli <- function(args) {
  out <- list()
  i <- 1L
  while (i <= length(args)) {
    a <- args[[i]]
    if (grepl("^--(port|host)=", a)) {
      kv <- strsplit(sub("^--", "", a), "=", fixed = TRUE)[[1]]
      out[[kv[1]]] <- kv[2]
    } else if (a %in% c("--port", "--host")) {
      if (i == length(args)) stop(sprintf("%s needs a value", a))
      out[[sub("^--", "", a)]] <- args[[i + 1L]]
      i <- i + 1L
    } else {
      stop(sprintf("unknown argument '%s' (usage: server.R [--port N] [--host ADDR])", a))
    }
    i <- i + 1L
  }
  out
}

cli <- parse_cli(commandArgs(trailingOnly = TRUE))
port_str <- if (!is.null(cli$port)) cli$port else Sys.getenv("R_SERVER_PORT", "8001")
host <- if (!is.null(cli$host)) cli$host else Sys.getenv("R_SERVER_HOST", "127.0.0.1")
port <- suppressWarnings(as.integer(port_str))
if (is.na(port) || port < 1L || port > 65535L) {
  message(sprintf("invalid port '%s'", port_str))
  quit(status = 2L)
}

message(sprintf("[r-server] BattyCoda R classifier listening on http://%s:%d (R %s, pid %d)",
  host, port, paste(R.version$major, R.version$minor, sep = "."), Sys.getpid()))
pr_run(build_router(), host = host, port = port, docs = FALSE, quiet = TRUE)
