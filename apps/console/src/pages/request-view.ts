/** `GET /v1/requests/{id}` as the console reads it (the API's RequestView). */
export interface CaseMessage {
  id: string;
  kind: string;
  direction: string;
  channel: string;
  partner: string;
  status: string;
  text: string;
  ground?: string;
  partial?: boolean;
  expectedBy?: string;
  clarificationOf?: string;
  closedAt?: string | null;
  createdAt?: string;
}

export interface RequestView {
  id: string;
  status: string;
  missionType: string;
  requestingUnit: string;
  requestedBy: string;
  level: string | null;
  receivedAt: string;
  deadline: { at: string | null; basis: string; suspended: boolean };
  request: {
    targetCountries: string[];
    offence: { category: string; description: string };
    informationSought?: string;
    purpose?: string;
    handlingCode: string;
    language: string;
    urgency: { urgent: boolean; ground?: string };
    subjects?: { type: string; name?: string }[];
  };
  decision: {
    rulesetVersion: string;
    routes: { channel: string; destination: string; role: string; ruleId: string; reason: string }[];
    europolCopy: { copy: boolean; reason: string };
  } | null;
  deliveries: {
    id: string;
    channel: string;
    destination: string;
    role: string;
    status: string;
    attempts: number;
    lastError: string | null;
    dispatchedAt: string;
    completedAt: string | null;
  }[];
  origin: {
    direction: 'outbound' | 'inbound';
    assignedUnit: string | null;
    originChannel: string | null;
    originPartner: string | null;
  };
  replies: CaseMessage[];
  history: ({ at: string; kind: string } & Record<string, unknown>)[];
  erasure: { at: string; by: string; unit: string; reason: string } | null;
}
