using Microsoft.AspNetCore.Mvc;

namespace Loire.Silo.Management;

/// <summary>
/// Query of a peek, as text: parsed by <see cref="ManagementQuery"/> so a bad value gets a problem body naming it.
/// <c>fromSequenceNumber</c> (default 0, the start), <c>maxCount</c> (1-1000, default 10), <c>subQueue</c>
/// (<c>main</c> or <c>deadLetter</c>), <c>previewBytes</c> (0-65536, default 1024).
/// </summary>
public readonly record struct PeekQuery(
    [FromQuery(Name = "fromSequenceNumber")] string? FromSequenceNumber,
    [FromQuery(Name = "maxCount")] string? MaxCount,
    [FromQuery(Name = "subQueue")] string? SubQueue,
    [FromQuery(Name = "previewBytes")] string? PreviewBytes);
