"""The Keras file format without Keras: sniffing, bounded archive reads, weight layout.

Shared by the saved-model reader (`frontends/saved_model`, file -> layer graph) and the
rewriter (`kerasfix/rewrite`, file -> file); never imports either of them.
"""
