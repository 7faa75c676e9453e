// Limits LinkedIn itself enforces: checked where messages are written (sequence validation), sent
// (the engine, the Unipile client) and simulated (the sandbox).

/** LinkedIn refuses invitation notes longer than this (characters). */
export const INVITATION_NOTE_MAX_LENGTH = 300;
