using Microsoft.Extensions.Hosting;

namespace Loire.Client.Internal;

/// <summary>
/// Host lifetime for the client's private Orleans host. The default console lifetime would listen for Ctrl+C and
/// SIGTERM and swallow them for the whole process; this one leaves signals to the application.
/// </summary>
internal sealed class DetachedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}
