/** vaults API schemas (issue 5): filled in by the vaults module. */
export {};
