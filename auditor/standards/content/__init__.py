"""Reading content: HTML, PDF, EXIF and RDAP extraction."""
