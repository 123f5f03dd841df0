/**
 * A transfer, comparison or seed that cannot go on, with a one-line message for the operator.
 * Whenever it is thrown after the target was opened, the target's transaction was rolled back.
 */
export class TransferError extends Error {
  override readonly name = 'TransferError';
}
