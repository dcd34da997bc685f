"""I/O at the edges: Parquet tables in, Parquet tables out."""
