/** nodes API schemas (issue 5): filled in by the nodes module. */
export {};
