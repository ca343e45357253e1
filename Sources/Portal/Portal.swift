// Portal: see ARCHITECTURE.md
