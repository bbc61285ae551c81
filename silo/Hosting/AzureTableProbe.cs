using Azure;
using Azure.Core;
using Azure.Data.Tables;

namespace Loire.Silo.Hosting;

/// <summary>
/// Creates the grain-state table before the silo starts. Orleans would do it too, but when the account cannot be
/// reached it retries for about 6 s and then logs the same stack trace at seven levels; this says it once, naming
/// the endpoint, and the silo exits.
/// </summary>
internal static class AzureTableProbe
{
    /// <summary>Why the table cannot be created (unreachable, refused credentials), or null when it exists now.</summary>
    public static async Task<string?> FindProblemAsync(string connectionString, string tableName, CancellationToken cancellationToken)
    {
        var options = new TableClientOptions();
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        try
        {
            await new TableServiceClient(connectionString, options).CreateTableIfNotExistsAsync(tableName, cancellationToken);
            return null;
        }
        catch (RequestFailedException e)
        {
            // Status 0 means no HTTP answer at all; otherwise the service's error code says more than its message.
            return e.Status == 0 ? e.Message : $"HTTP {e.Status} {e.ErrorCode}";
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is RequestFailedException))
        {
            // The retry policy gives up with every attempt's failure; the last one is representative.
            return ((RequestFailedException)e.InnerExceptions[^1]).Message;
        }
    }
}
