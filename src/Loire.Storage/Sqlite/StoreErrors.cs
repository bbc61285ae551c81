using Loire.Client;
using Microsoft.Data.Sqlite;

namespace Loire.Storage.Sqlite;

/// <summary>How the embedded store turns SQLite and writer failures into the errors its callers see.</summary>
internal static class StoreErrors
{
    // Primary result codes that mean the file cannot be written right now, as opposed to a statement being wrong.
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteNoMem = 7;
    private const int SqliteReadOnly = 8;
    private const int SqliteInterrupt = 9;
    private const int SqliteIoErr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteProtocol = 15;
    private const int SqlitePerm = 3;
    private const int SqliteNotADb = 26;

    /// <summary>A <c>StoreUnavailable</c> error for one waiter of a group that could not be made durable.</summary>
    public static LoireException Unavailable(string message, Exception? cause) =>
        new(LoireErrorReason.StoreUnavailable, message, innerException: cause);

    /// <summary>
    /// The error for the caller of a batch that was undone while the rest of its group went on: <c>StoreUnavailable</c>
    /// when the storage failed, <c>GeneralError</c> when the batch itself could not be applied.
    /// </summary>
    public static LoireException BatchRejected(Exception cause) => IsStorageFailure(cause)
        ? Unavailable("The message store could not write the batch; nothing of it was applied.", cause)
        : new LoireException(LoireErrorReason.GeneralError, "The message store rejected the batch; nothing of it was applied.", innerException: cause);

    /// <summary>True for failures of the file or its locks rather than of a statement.</summary>
    public static bool IsStorageFailure(Exception exception) => exception is SqliteException sqlite && sqlite.SqliteErrorCode is
        SqliteBusy or SqliteLocked or SqliteNoMem or SqliteReadOnly or SqliteInterrupt or SqliteIoErr or SqliteCorrupt or
        SqliteFull or SqliteCantOpen or SqliteProtocol or SqlitePerm or SqliteNotADb;
}
