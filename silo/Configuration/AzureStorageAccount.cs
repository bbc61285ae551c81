using Azure.Data.Tables;

namespace Loire.Silo.Configuration;

/// <summary>The Azure Storage account of <c>--azure-storage</c>, read without sending a request.</summary>
public static class AzureStorageAccount
{
    /// <summary>Values this long may be a key or a SAS signature; messages about the connection string never show them.</summary>
    private const int SecretLength = 16;

    /// <summary>Why the Tables client cannot use <paramref name="connectionString"/>, or null when it can.</summary>
    public static string? FindProblem(string connectionString)
    {
        try
        {
            _ = new TableServiceClient(connectionString);
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return Redact(e.Message.TrimEnd('.'), connectionString);
        }
    }

    /// <summary>
    /// The table endpoint of <paramref name="connectionString"/> without credentials or query (a SAS token is one),
    /// safe to log.
    /// </summary>
    public static string TableEndpoint(string connectionString) =>
        new TableServiceClient(connectionString).Uri.GetLeftPart(UriPartial.Path);

    /// <summary>
    /// The parser quotes the part it could not read, which may be a pasted key: every long piece of the connection
    /// string is masked.
    /// </summary>
    private static string Redact(string message, string connectionString)
    {
        var pieces = connectionString.Split([';', '='], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var piece in pieces.Where(p => p.Length >= SecretLength).OrderByDescending(p => p.Length))
        {
            message = message.Replace(piece, "***", StringComparison.Ordinal);
        }

        return message;
    }
}
