"""Agent runs: one owner per run, from admission to its recorded end."""
