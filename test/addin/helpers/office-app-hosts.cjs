// Stands in for office-addin-manifest under Jest, which cannot load it on Node 20 (an ESM-only dependency): the
// office-addin-mock package reads only its OfficeApp host names, copied here from office-addin-manifest 2.1.6.
module.exports = {
  OfficeApp: { Excel: 'excel', OneNote: 'onenote', Outlook: 'outlook', PowerPoint: 'powerpoint', Project: 'project', Word: 'word' },
};
