/** signing API schemas (issue 5): filled in by the signing module. */
export {};
