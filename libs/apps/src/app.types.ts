/** The apps' person form: a new name, and what the person read aloud in the voice sample sent beside it. */
export interface AppPersonChanges {
  name?: string | null;
  expected_text?: string;
}

/** The form fields of a segment an app uploads (validated by the controller's DTO). */
export interface SegmentFields {
  client_id: string;
  chunk_start_ms?: string;
  chunk_end_ms?: string;
}
