using System.Collections.Frozen;
using System.Reflection;

namespace Loire.Silo.WebConsole;

/// <summary>
/// The web console at <c>/console/</c>: a few static files embedded in the silo assembly (no separate server, no build
/// step), served with a policy that lets the page load nothing but its own files and call nothing but this silo, so
/// message bodies it shows can never run as script.
/// </summary>
public static class ConsoleEndpoints
{
    public const string Path = "/console/";

    private const string ResourcePrefix = "console/";

    private const string SecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".png"] = "image/png",
    }.ToFrozenDictionary();

    private static readonly Lazy<FrozenDictionary<string, byte[]>> s_files = new(LoadFiles);

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder endpoints)
    {
        // Routing ignores a trailing slash, so "/console" lands here too: it is sent to "/console/", where the page's
        // relative links resolve.
        endpoints.MapGet(Path + "{file?}", (string? file, HttpContext context) =>
            file is null && !context.Request.Path.Value!.EndsWith('/') ? Results.Redirect(Path) : Serve(file ?? "index.html", context))
            .ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Serve(string file, HttpContext context)
    {
        if (!s_files.Value.TryGetValue(file, out var content))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = SecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-cache";
        return Results.Bytes(content, s_contentTypes[System.IO.Path.GetExtension(file)]);
    }

    private static FrozenDictionary<string, byte[]> LoadFiles()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            files[name[ResourcePrefix.Length..]] = buffer.ToArray();
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
