using Makaretu.Dns;

namespace OC.Appliance.Discovery;

/// <summary>
/// Reading a datagram into a Makaretu.Dns <see cref="Message"/> without trusting it: the counts in
/// the header are checked against the length, then the sections are walked (<see cref="DnsLayout"/>),
/// so that Makaretu.Dns is only given a datagram whose names and lengths fit in it and cost it no
/// more than the datagram's size, and whatever the parser still throws is caught.
/// </summary>
internal static class MdnsPacket
{
    /// <summary>RFC 6762 §17: at most 9000 bytes, including the IP and UDP headers.</summary>
    public const int MaxBytes = 9000;

    private const int HeaderBytes = 12;
    private const int MinQuestionBytes = 5;
    private const int MinRecordBytes = 11;

    /// <summary>
    /// Parses <paramref name="buffer"/>[0..<paramref name="length"/>). A query whose records fail
    /// to parse (say a known answer with UTF-8 TXT, which the parser refuses, or records cut
    /// short) still yields its questions, with the known answers left out: the question is what
    /// must be answered.
    /// </summary>
    public static bool TryRead(byte[] buffer, int length, out Message message)
    {
        message = new Message();
        if (length < HeaderBytes || length > buffer.Length) return false;
        var packet = buffer.AsSpan(0, length);
        int questions = (packet[4] << 8) | packet[5];
        int records = ((packet[6] << 8) | packet[7]) + ((packet[8] << 8) | packet[9]) + ((packet[10] << 8) | packet[11]);
        // Counts the datagram cannot hold are a lie: each question takes at least 5 bytes, each record 11.
        if (HeaderBytes + (questions * MinQuestionBytes) + (records * MinRecordBytes) > length) return false;
        bool query = (packet[2] & 0x80) == 0;
        var layout = DnsLayout.Check(packet, questions, records, out int questionsEnd);
        if (layout == DnsFit.None || (layout == DnsFit.QuestionsOnly && !query)) return false;
        if (layout == DnsFit.QuestionsOnly) return TryReadQuestions(packet[..questionsEnd], questions, out message);
        try
        {
            message.Read(buffer, 0, length);
            return true;
        }
#pragma warning disable CA1031 // Hostile input: every parser failure means "drop this datagram".
        catch (Exception)
#pragma warning restore CA1031
        {
            return query && questions > 0 && TryReadQuestions(packet[..questionsEnd], questions, out message);
        }
    }

    /// <summary>The header and the questions alone, the record counts set to zero.</summary>
    private static bool TryReadQuestions(ReadOnlySpan<byte> headerAndQuestions, int questions, out Message message)
    {
        message = new Message();
        if (questions == 0) return false;
        byte[] copy = headerAndQuestions.ToArray();
        copy.AsSpan(6, 6).Clear();
        try
        {
            message.Read(copy, 0, copy.Length);
            return message.IsQuery && message.Questions.Count == questions;
        }
#pragma warning disable CA1031 // As above.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
