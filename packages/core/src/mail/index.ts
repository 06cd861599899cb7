export * from "./mailer.ts";
export * from "./message.ts";
export * from "./queue.ts";
