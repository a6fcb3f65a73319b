/**
 * The store's copy in an S3-compatible bucket (AWS SDK v2): replication of packs then manifests,
 * each upload read back before it counts; reading chunks from the bucket alone; verifying,
 * mirroring and pruning the bucket; and the per-server choice of upload encoding.
 */
package io.lifeboat.store.replication;
