using Loire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Loire.Tests.Infrastructure;

/// <summary>
/// Holds the silo's store writer when it is about to put the first message into one entity, until released; the
/// batch then goes through or, for a failing gate, is rejected (nothing of it applied). Other entities' writes wait
/// behind it meanwhile, which the tests of the collection tolerate since they run one at a time.
/// </summary>
internal sealed class StoreCommitGate : IDisposable
{
    private readonly SqliteMessageStore _store;
    private readonly string _entityPath;
    private readonly bool _fail;
    private readonly ManualResetEventSlim _release = new();
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    public StoreCommitGate(ClusterFixture fixture, string entityPath, bool fail)
    {
        _store = (SqliteMessageStore)fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IMessageStore>();
        _entityPath = entityPath;
        _fail = fail;
        _store.FaultHooks.BeforeOperation = OnOperation;
    }

    /// <summary>Completes when the writer is held on the entity's first put.</summary>
    public Task Entered => _entered.Task;

    public void Release() => _release.Set();

    public void Dispose()
    {
        _release.Set();
        _store.FaultHooks.BeforeOperation = null;
    }

    private void OnOperation(StoreBatch batch, int index)
    {
        var operation = batch.Operations[index];
        if (operation.Kind != StoreOperationKind.PutMessage || operation.EntityPath != _entityPath || Interlocked.Exchange(ref _held, 1) == 1)
        {
            return;
        }

        _entered.TrySetResult();
        _release.Wait(TimeSpan.FromSeconds(30));
        if (_fail)
        {
            throw new InvalidOperationException("Injected failure of the put.");
        }
    }
}
