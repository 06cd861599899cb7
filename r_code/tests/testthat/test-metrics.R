test_that("metrics: known confusion matrix", {
  truth <- c("a", "a", "a", "a", "b", "b", "c", "c")
  pred <- c("a", "a", "a", "b", "b", "a", "a", "c")
  m <- classification_metrics(truth, pred, c("a", "b", "c"))
  expect_equal(m$accuracy, 5 / 8)
  expect_equal(m$confusionMatrix$matrix, matrix(c(3L, 1L, 1L, 1L, 1L, 0L, 0L, 0L, 1L), 3, byrow = FALSE))
  # recall a 3/4, b 1/2, c 1/2
  expect_equal(m$balancedAccuracy, mean(c(3 / 4, 1 / 2, 1 / 2)))
  pc <- m$perClass
  expect_equal(pc$precision, c(3 / 5, 1 / 2, 1))
  expect_equal(pc$recall, c(3 / 4, 1 / 2, 1 / 2))
  expect_equal(pc$support, c(4L, 2L, 2L))
  expect_equal(pc$f1[1], 2 * (3 / 5) * (3 / 4) / (3 / 5 + 3 / 4))
})

test_that("metrics: a class never predicted has precision 0 and F1 0", {
  m <- classification_metrics(c("a", "b"), c("a", "a"), c("a", "b"))
  expect_equal(m$perClass$precision, c(0.5, 0))
  expect_equal(m$perClass$f1[2], 0)
  expect_equal(m$balancedAccuracy, 0.5)
})

test_that("stratified folds are balanced, deterministic and seed dependent", {
  y <- c(rep("a", 50), rep("b", 10), rep("c", 3))
  f1 <- stratified_folds(y, 5L, 42L)
  f2 <- stratified_folds(y, 5L, 42L)
  f3 <- stratified_folds(y, 5L, 7L)
  expect_identical(f1, f2)
  expect_false(identical(f1, f3))
  expect_true(all(table(f1[y == "a"]) == 10))
  expect_true(all(table(f1[y == "b"]) == 2))
  expect_equal(length(unique(f1[y == "c"])), 3)
  expect_true(all(table(f1) %in% 12:13))
})
