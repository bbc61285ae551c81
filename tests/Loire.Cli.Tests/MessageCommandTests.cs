using Loire.Cli.Tests.Infrastructure;

namespace Loire.Cli.Tests;

[Collection(SiloCollection.Name)]
public sealed class MessageCommandTests(SiloFixture silo)
{
    private readonly CliRunner _cli = new(silo.Gateway);

    [Fact]
    public async Task SendFromStdinFileAndBodyThenPeekAndReceive()
    {
        var queue = EntityNames.For();
        await _cli.ExpectAsync(0, "queue", "create", queue);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, [0xff, 0x00, 0x01]);
            Assert.Equal(0, (await _cli.RunWithInputAsync("one\ntwo\r\n\nthree\n", "send", queue, "--lines", "--subject", "lines")).ExitCode);
            Assert.Equal(0, (await _cli.RunWithInputAsync("whole input", "send", queue, "--message-id", "stdin-1")).ExitCode);
            await _cli.ExpectAsync(0, "send", queue, "--file", file, "--content-type", "application/octet-stream");
            var many = await _cli.ExpectAsync(0, "send", queue, "--body", "again", "--count", "3", "--message-id", "rep", "--json");
            Assert.Equal(3, many.Json().GetProperty("sent").GetInt32());
        }
        finally
        {
            File.Delete(file);
        }

        var peeked = (await _cli.ExpectAsync(0, "peek", queue, "--count", "50", "--json")).Json().EnumerateArray().ToList();
        Assert.Equal(8, peeked.Count);
        Assert.Equal(["one", "two", "three", "whole input"], peeked.Take(4).Select(m => m.GetProperty("body").GetString()));
        Assert.Equal("lines", peeked[0].GetProperty("subject").GetString());
        Assert.Equal("stdin-1", peeked[3].GetProperty("messageId").GetString());
        Assert.Equal(Convert.ToBase64String([0xff, 0x00, 0x01]), peeked[4].GetProperty("bodyBase64").GetString());
        Assert.Equal(["rep-1", "rep-2", "rep-3"], peeked.Skip(5).Select(m => m.GetProperty("messageId").GetString()));

        var from = peeked[6].GetProperty("sequenceNumber").GetInt64();
        var tail = (await _cli.ExpectAsync(0, "peek", queue, "--from", from.ToString(), "--json")).Json();
        Assert.Equal(2, tail.GetArrayLength());
        var table = await _cli.ExpectAsync(0, "peek", queue, "--count", "2");
        Assert.Contains("one", table.Out);
        Assert.Contains("2 rows", table.Out);

        var received = await _cli.ExpectAsync(0, "receive", queue, "--count", "4", "--wait", "2");
        Assert.Equal("one\ntwo\nthree\nwhole input\n", received.Out);
        var directory = Directory.CreateTempSubdirectory("loire-cli-").FullName;
        try
        {
            var rest = await _cli.ExpectAsync(0, "receive", queue, "--count", "10", "--wait", "1", "--mode", "receivedelete", "--output-dir", directory);
            Assert.Equal(4, Directory.GetFiles(directory).Length);
            Assert.Contains(Directory.GetFiles(directory), f => File.ReadAllBytes(f).SequenceEqual(new byte[] { 0xff, 0x00, 0x01 }));
            Assert.Contains("received 4 messages", rest.Error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var stats = Assert.Single((await _cli.ExpectAsync(0, "stats", queue, "--json")).Json().EnumerateArray());
        Assert.Equal(0, stats.GetProperty("total").GetInt64());
        await _cli.ExpectAsync(1, "receive", queue, "--mode", "receivedelete", "--abandon");
    }

    [Fact]
    public async Task DeadLetterThenResubmitThenPurge()
    {
        var queue = EntityNames.For();
        await _cli.ExpectAsync(0, "queue", "create", queue);
        await _cli.ExpectAsync(0, "send", queue, "--body", "poison", "--count", "2");
        await _cli.ExpectAsync(0, "receive", queue, "--count", "2", "--wait", "2", "--deadletter", "--reason", "bad-data");

        var dead = (await _cli.ExpectAsync(0, "peek", queue, "--dlq", "--json")).Json().EnumerateArray().ToList();
        Assert.Equal(2, dead.Count);
        Assert.All(dead, m => Assert.Equal("bad-data", m.GetProperty("deadLetterReason").GetString()));
        var before = Assert.Single((await _cli.ExpectAsync(0, "stats", queue, "--json")).Json().EnumerateArray());
        Assert.Equal((0, 2), (before.GetProperty("active").GetInt64(), before.GetProperty("deadLetter").GetInt64()));

        var resubmitted = await _cli.ExpectAsync(0, "dlq", "resubmit", queue, "--json");
        Assert.Equal(2, resubmitted.Json().GetProperty("resubmitted").GetInt64());
        var after = Assert.Single((await _cli.ExpectAsync(0, "stats", queue, "--json")).Json().EnumerateArray());
        Assert.Equal((2, 0), (after.GetProperty("active").GetInt64(), after.GetProperty("deadLetter").GetInt64()));

        await _cli.ExpectAsync(0, "receive", queue, "--wait", "2", "--deadletter");
        Assert.Contains("purged 1 dead letters", (await _cli.ExpectAsync(0, "dlq", "purge", queue)).Out);
        Assert.Contains("purged 1 messages", (await _cli.ExpectAsync(0, "purge", queue)).Out);
        await _cli.ExpectAsync(2, "dlq", "resubmit", EntityNames.For("missing"));
        await _cli.ExpectAsync(2, "peek", EntityNames.For("missing"));
    }
}
