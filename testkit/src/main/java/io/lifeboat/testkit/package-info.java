/**
 * Test fixtures every module's tests share and that know nothing of Lifeboat's own types:
 * disk images with the shapes that break chunk stores ({@link io.lifeboat.testkit.TestImages}),
 * seeds for randomised property tests ({@link io.lifeboat.testkit.Seeds}) and a clock that
 * stands still until a test moves it ({@link io.lifeboat.testkit.TestClock}). Only tests depend
 * on this module (scope {@code test}), and it depends on no other Lifeboat module, so the store's
 * own tests can use it too; fixtures about the store itself stay in dedup-store's tests.
 */
package io.lifeboat.testkit;
