"""The Language Server (`kerasfix server`). pygls is imported only by `app`, which the
`server` command loads on demand, so `kerasfix lint` never pays for it."""
