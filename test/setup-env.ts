// Every test file sees the environment the global setup chose (temp DATA_DIR, test PostgreSQL),
// whatever pool runs it, before any module reads its configuration.
import { inject } from "vitest";

Object.assign(process.env, inject("testEnv"));
