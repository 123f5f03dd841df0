/** Where a device authorization stands (RFC 8628 §3.4–3.5). */
export type DeviceCodeStatus = 'pending' | 'approved' | 'denied' | 'consumed';

/** A device authorization request (RFC 8628 §3.1–3.2); both codes are held as digests. */
export interface DeviceCode {
  id: string;
  /** Digest of the device code handed to the client. */
  deviceCode: string;
  /** Digest of the normalized user code (8 letters, no dash). */
  userCode: string;
  /** `oauth_clients.id` (UUID). */
  clientId: string;
  scope: string | null;
  status: DeviceCodeStatus;
  /** Set once the user approved. */
  userId: string | null;
  authTime: Date | null;
  /** The approving browser session's id, for the ID token's `sid` (Back-Channel Logout §2.4). */
  sid: string | null;
  /** Current minimum polling interval; rises by 5 s with every `slow_down` (RFC 8628 §3.5). */
  intervalSeconds: number;
  /** The earliest time the next token request may come; `null` before the first. */
  nextPollAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
}

/** What a caller supplies to save a device authorization. */
export type NewDeviceCode = Pick<DeviceCode, 'deviceCode' | 'userCode' | 'clientId' | 'scope' | 'intervalSeconds' | 'expiresAt'>;

/** How the user answered on the verification page. */
export type DeviceDecision = { approved: false } | { approved: true; userId: string; authTime: Date; sid: string | null };
