"""What `kerasfix inspect` shows: one table per model, shared by the text, JSON and HTML
outputs (the HTML report imports it; it never imports the report or the command)."""
