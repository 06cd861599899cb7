// Resumable uploads in the media bucket, so that any API host can take the next PATCH of an upload
// another host started. @tus/s3-store keeps an upload as a multipart upload on `<id>`, its info in
// `<id>.info` and a tail shorter than an S3 part in `<id>.part`; it names these keys after the bare
// upload id and has no prefix option, so every key it sends is moved under the media prefix here.
import type { S3StoreSettings } from "@battycoda/config";
import { tusObjectKey } from "@battycoda/core";
import { s3ClientConfig } from "@battycoda/core/s3/client";
import { type MetadataValue, S3Store } from "@tus/s3-store";

type UploadCache = NonNullable<ConstructorParameters<typeof S3Store>[0]["cache"]>;

/**
 * The store's default cache keeps each upload's info in this process's memory: another host
 * that finished or cancelled the upload would leave it stale here. Reading the info object on
 * every request costs one small GET.
 */
const noCache: UploadCache = {
  get: async (): Promise<MetadataValue | undefined> => undefined,
  set: async () => {},
  delete: async () => {},
};

/** Every key a command names (object commands, DeleteObjects). */
interface KeyedInput {
  Key?: string;
  Delete?: { Objects?: { Key?: string }[] };
}

export class TusS3Store extends S3Store {
  constructor(s3: S3StoreSettings) {
    super({ s3ClientConfig: { ...s3ClientConfig(s3), bucket: s3.bucket }, cache: noCache });
    const prefixed = (key: string) => s3.prefix + tusObjectKey(key);
    this.client.middlewareStack.add(
      (next) => (args) => {
        const input = { ...(args.input as KeyedInput) };
        if (typeof input.Key === "string") input.Key = prefixed(input.Key);
        if (input.Delete?.Objects)
          input.Delete = {
            ...input.Delete,
            Objects: input.Delete.Objects.map((o) =>
              o.Key === undefined ? o : { ...o, Key: prefixed(o.Key) },
            ),
          };
        return next({ ...args, input: input as typeof args.input });
      },
      { step: "initialize", name: "battycodaTusKeyPrefix" },
    );
  }

  /** A cancelled upload also loses its tail (the store itself leaves `<id>.part` behind). */
  override async remove(id: string): Promise<void> {
    await super.remove(id);
    await this.deleteIncompletePart(id);
  }

  /** Expiry is the worker's (cleanStaleUploads), which knows the uploads' owners. */
  override async deleteExpired(): Promise<number> {
    return 0;
  }
}
