"""The application's routers, one per area: ``api_*`` answer JSON, ``pages_*`` answer HTML."""
